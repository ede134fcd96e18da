// Go's time.Duration as Docker's flags and messages use it: parsed from `1m30s`, printed as Go prints it.

import { usageError } from '../errors.js';

const NANOSECOND = 1;
const MICROSECOND = 1e3 * NANOSECOND;
const MILLISECOND = 1e3 * MICROSECOND;
const SECOND = 1e3 * MILLISECOND;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const UNITS: Readonly<Record<string, number>> = {
  ns: NANOSECOND,
  us: MICROSECOND,
  'µs': MICROSECOND, // U+00B5
  'μs': MICROSECOND, // U+03BC
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/** Go's strconv.Quote for the ASCII a duration is made of; JSON's escaping agrees there. */
const quote = (text: string) => JSON.stringify(text);

/** Go's time.ParseDuration (`1h30m`, `1.5s`, `300ms`, `-2m`, `0`), in nanoseconds, with Go's messages. */
export function parseGoDuration(text: string): number {
  const invalid = () => usageError(`time: invalid duration ${quote(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole = '', fraction] = [number[1], number[2]];
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw usageError(`time: missing unit in duration ${quote(text)}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw usageError(`time: unknown unit ${quote(unit)} in duration ${quote(text)}`);
    rest = rest.slice(unit.length);
    total += Number(whole || '0') * scale + (fraction ? Math.trunc(Number(`0.${fraction}`) * scale) : 0);
    if (total > Number.MAX_SAFE_INTEGER) throw invalid();
  }
  return negative ? -total : total;
}

/** `digits` of `value / scale` with the fraction's trailing zeros dropped, as Go prints durations. */
function decimal(value: number, scale: number): string {
  const whole = Math.floor(value / scale);
  const fraction = value - whole * scale;
  if (fraction === 0) return String(whole);
  const width = String(scale).length - 1;
  return `${whole}.${String(fraction).padStart(width, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration.String: `0s`, `500ms`, `1.5s`, `1m30s`, `2h0m0s`. */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let rest = Math.abs(nanoseconds);
  if (rest < MICROSECOND) return `${sign}${rest}ns`;
  if (rest < MILLISECOND) return `${sign}${decimal(rest, MICROSECOND)}µs`;
  if (rest < SECOND) return `${sign}${decimal(rest, MILLISECOND)}ms`;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const prefix = hours > 0 ? `${hours}h${minutes}m` : minutes > 0 ? `${minutes}m` : '';
  return `${sign}${prefix}${decimal(rest, SECOND)}s`;
}

