// Go value semantics for berth's templates: which Go kind a JS value stands for, how
// Go's fmt prints it, and how encoding/json encodes it. Docker users' templates and
// scripts depend on these exact spellings, so they follow Go rather than JS.
//
// The mapping: null/undefined are nil, booleans bool, safe integers and bigints int,
// other numbers float64, strings string, arrays slices, Maps maps, Dates time.Time,
// and every other object a struct whose fields are its own enumerable properties
// (function-valued properties are methods, not fields).

export type GoKind = 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'time' | 'struct' | 'func';

export function kindOf(value: unknown): GoKind {
  switch (typeof value) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      // -0 only arises from float arithmetic or literals like -0.0, which Go prints as "-0".
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? 'int' : 'float';
    case 'string':
      return 'string';
    case 'function':
    case 'symbol':
      return 'func';
  }
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'slice';
  if (value instanceof Map) return 'map';
  if (value instanceof Date) return 'time';
  return 'struct';
}

/** The Go type name used in messages such as `can't evaluate field X in type T` and by %T. */
export function goTypeName(value: unknown): string {
  switch (kindOf(value)) {
    case 'nil':
      return 'nil';
    case 'bool':
      return 'bool';
    case 'int':
      return typeof value === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'time':
      return 'time.Time';
    case 'func':
      return 'func()';
    case 'struct': {
      const name = (value as object).constructor?.name;
      return name && name !== 'Object' ? name : 'struct';
    }
  }
}

const mapZeros = new WeakMap<Map<unknown, unknown>, unknown>();

/**
 * Makes a Go map for templates from a plain record (plain objects act as structs, whose
 * missing fields are errors). `zero` is what `index` yields for a missing key, like the
 * zero value of a Go map's element type: pass '' for what Docker has as map[string]string
 * (labels, options) so `{{index .Labels "x"}}` prints nothing rather than `<no value>`.
 */
export function goMap<V>(record: Record<string, V>, zero?: V): Map<string, V> {
  const map = new Map(Object.entries(record));
  if (zero !== undefined) mapZeros.set(map, zero);
  return map;
}

/**
 * A Go map for templates (`{{index .Labels "k"}}`, keys sorted by `json`) that prints as a
 * JSON object with its keys sorted, as Docker's daemon encodes maps in inspect output.
 */
export function sortedJsonMap<V>(record: Readonly<Record<string, V>>, zero?: V): Map<string, V> {
  const sorted = Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const map = goMap(sorted, zero);
  Object.defineProperty(map, 'toJSON', { value: () => sorted });
  return map;
}

/** The zero value registered by goMap, or undefined (nil) for other maps. */
export function mapZero(map: Map<unknown, unknown>): unknown {
  return mapZeros.get(map);
}

/** Go's truth: nil, false, 0, "" and empty slices and maps are false; structs are always true. */
export function isTrue(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'nil':
      return false;
    case 'bool':
      return value as boolean;
    case 'int':
    case 'float':
      return value !== 0 && value !== 0n;
    case 'string':
      return value !== '';
    case 'slice':
      return (value as unknown[]).length > 0;
    case 'map':
      return (value as Map<unknown, unknown>).size > 0;
    default:
      return true;
  }
}

/** Orders map keys as Go's fmt and text/template do: numbers numerically, strings lexically. */
export function compareKeys(a: unknown, b: unknown): number {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (!(numeric(a) && numeric(b))) {
    a = String(a);
    b = String(b);
  }
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}

export function sortedEntries(map: Map<unknown, unknown>): [unknown, unknown][] {
  return [...map.entries()].sort((x, y) => compareKeys(x[0], y[0]));
}

/** A struct's fields: its own enumerable properties, in order, except methods. */
export function structFields(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, field]) => typeof field !== 'function');
}

/** Strings are measured and cut in UTF-8 bytes, as Go's len, index and slicing do. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function utf8Slice(text: string, start: number, end: number): string {
  return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
}

export function utf8ByteAt(text: string, index: number): number {
  return Buffer.from(text, 'utf8')[index];
}

// ---------------------------------------------------------------------------
// fmt

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** %+v: print struct field names. */
  plusV: boolean;
  width?: number;
  precision?: number;
}

const NO_FLAGS: Flags = { minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false };

/** How fmt's %v prints a value (Go's fmt.Sprint of one operand). */
export function formatValue(value: unknown): string {
  return formatArg(value, 'v', NO_FLAGS);
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: unknown[]): string {
  return args
    .map((arg, i) => (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(arg))
    .join('');
}

/** fmt.Sprintln: operands always separated by a space, and a final newline. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

/**
 * fmt.Sprintf. Supports the flags `-+# 0`, width and precision (also `*`), and the verbs
 * v s q d b o O x X c U e E f F g G t T %. Mistakes print Go's markers such as
 * `%!d(string=x)`, `%!s(MISSING)` and `%!(EXTRA int=1)` instead of failing.
 */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;

    const flags: Flags = { ...NO_FLAGS };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') {
        flags.minus = true;
        flags.zero = false; // padding on the right is never zeros
      } else if (c === '+') flags.plus = true;
      else if (c === '#') flags.sharp = true;
      else if (c === ' ') flags.space = true;
      else if (c === '0') flags.zero = !flags.minus;
      else break;
    }

    const starArg = (): number | undefined => {
      const arg = args[argIndex++];
      return kindOf(arg) === 'int' ? Number(arg) : undefined;
    };
    if (format[i] === '*') {
      i++;
      const width = starArg();
      if (width === undefined) out += '%!(BADWIDTH)';
      else if (width < 0) {
        flags.minus = true;
        flags.zero = false;
        flags.width = -width;
      } else flags.width = width;
    } else {
      const digits = /^\d+/.exec(format.slice(i))?.[0];
      if (digits) {
        flags.width = Number(digits);
        i += digits.length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const precision = starArg();
        if (precision === undefined || precision < 0) out += '%!(BADPREC)';
        else flags.precision = precision;
      } else {
        const digits = /^\d*/.exec(format.slice(i))![0];
        flags.precision = Number(digits);
        i += digits.length;
      }
    }

    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'v') {
      flags.plusV = flags.plus;
      flags.plus = false;
    }
    out += formatArg(args[argIndex++], verb, flags);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((arg) => (arg == null ? '<nil>' : `${goTypeName(arg)}=${formatValue(arg)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function formatArg(value: unknown, verb: string, flags: Flags): string {
  if (verb === 'T') return pad(flags, value == null ? '<nil>' : goTypeName(value));
  if (value == null) return verb === 'v' ? pad(flags, '<nil>') : badVerb(value, verb);
  // Go prints errors and times through their Error and String methods.
  if ((value instanceof Error || value instanceof Date) && 'vsqxX'.includes(verb)) {
    return formatString(value instanceof Error ? value.message : goTime(value), verb, flags);
  }
  switch (kindOf(value)) {
    case 'bool':
      return verb === 'v' || verb === 't' ? pad(flags, String(value)) : badVerb(value, verb);
    case 'int':
      return formatInteger(value as number | bigint, verb, flags);
    case 'float':
      return formatFloat(value as number, verb, flags);
    case 'string':
      return formatString(value as string, verb, flags);
    case 'slice':
      return `[${(value as unknown[]).map((element) => formatElement(element, verb, flags)).join(' ')}]`;
    case 'map': {
      const entries = sortedEntries(value as Map<unknown, unknown>);
      return `map[${entries.map(([k, v]) => `${formatElement(k, verb, flags)}:${formatElement(v, verb, flags)}`).join(' ')}]`;
    }
    case 'struct': {
      const fields = structFields(value as object);
      return `{${fields.map(([name, v]) => (flags.plusV ? `${name}:` : '') + formatElement(v, verb, flags)).join(' ')}}`;
    }
    default:
      return badVerb(value, verb);
  }
}

// Nil inside a collection prints as <nil> whatever the verb.
function formatElement(value: unknown, verb: string, flags: Flags): string {
  return value == null ? pad(flags, '<nil>') : formatArg(value, verb, flags);
}

function badVerb(value: unknown, verb: string): string {
  return `%!${verb}(${value == null ? '<nil>' : `${goTypeName(value)}=${formatValue(value)}`})`;
}

function pad(flags: Flags, text: string): string {
  const missing = (flags.width ?? 0) - [...text].length;
  if (missing <= 0) return text;
  if (flags.minus) return text + ' '.repeat(missing);
  return (flags.zero ? '0' : ' ').repeat(missing) + text;
}

function padWithSpaces(flags: Flags, text: string): string {
  return pad({ ...flags, zero: false }, text);
}

function formatString(text: string, verb: string, flags: Flags): string {
  const cut = flags.precision === undefined ? text : [...text].slice(0, flags.precision).join('');
  switch (verb) {
    case 'v':
    case 's':
      return pad(flags, cut);
    case 'q':
      return pad(flags, quoteGo(cut));
    case 'x':
    case 'X':
      return pad(flags, hexBytes(text, verb, flags));
    default:
      return badVerb(text, verb);
  }
}

function hexBytes(text: string, verb: string, flags: Flags): string {
  let bytes = [...Buffer.from(text, 'utf8')];
  if (flags.precision !== undefined) bytes = bytes.slice(0, flags.precision);
  const prefix = flags.sharp ? (verb === 'X' ? '0X' : '0x') : '';
  const hex = bytes.map((b) => {
    const digits = b.toString(16).padStart(2, '0');
    return verb === 'X' ? digits.toUpperCase() : digits;
  });
  if (hex.length === 0) return '';
  return flags.space ? hex.map((h) => prefix + h).join(' ') : prefix + hex.join('');
}

function formatInteger(value: number | bigint, verb: string, flags: Flags): string {
  const n = BigInt(value);
  switch (verb) {
    case 'v':
    case 'd':
      return integerDigits(n, 10, verb, flags);
    case 'b':
      return integerDigits(n, 2, verb, flags);
    case 'o':
    case 'O':
      return integerDigits(n, 8, verb, flags);
    case 'x':
    case 'X':
      return integerDigits(n, 16, verb, flags);
    case 'c':
      return pad(flags, String.fromCodePoint(validRune(n)));
    case 'q':
      return pad(flags, `'${escapeRune(String.fromCodePoint(validRune(n)), "'")}'`);
    case 'U': {
      const code = `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;
      const rune = String.fromCodePoint(validRune(n));
      return pad(flags, flags.sharp && isPrint(rune) ? `${code} '${rune}'` : code);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // JS cannot tell 2.0 from 2, so integers are accepted where Go wants a float.
      return formatFloat(Number(n), verb, flags);
    default:
      return badVerb(value, verb);
  }
}

function validRune(n: bigint): number {
  const code = Number(n);
  return code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? 0xfffd : code;
}

function integerDigits(n: bigint, base: number, verb: string, flags: Flags): string {
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (flags.precision !== undefined) {
    if (flags.precision === 0 && n === 0n) digits = '';
    digits = digits.padStart(flags.precision, '0');
  } else if (flags.zero && flags.width !== undefined) {
    const signWidth = negative || flags.plus || flags.space ? 1 : 0;
    digits = digits.padStart(flags.width - signWidth, '0');
  }
  let prefix = '';
  if (verb === 'O') prefix = '0o';
  else if (flags.sharp) {
    if (base === 2) prefix = '0b';
    else if (base === 8 && !digits.startsWith('0')) prefix = '0';
    else if (base === 16) prefix = verb === 'X' ? '0X' : '0x';
  }
  const sign = negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  return padWithSpaces(flags, sign + prefix + digits);
}

function formatFloat(x: number, verb: string, flags: Flags): string {
  if (!'vgGeEfF'.includes(verb)) return badVerb(x, verb);
  if (Number.isNaN(x)) return padWithSpaces(flags, (flags.plus ? '+' : flags.space ? ' ' : '') + 'NaN');
  if (!Number.isFinite(x)) return padWithSpaces(flags, (x < 0 ? '-' : flags.space && !flags.plus ? ' ' : '+') + 'Inf');

  const abs = Math.abs(x);
  let body: string;
  if (verb === 'e' || verb === 'E') body = formatE(abs, flags.precision ?? 6);
  else if (verb === 'f' || verb === 'F') body = formatF(abs, flags.precision ?? 6);
  else body = formatG(abs, flags.precision ?? -1);
  if (verb === 'E' || verb === 'G') body = body.toUpperCase();

  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  if (flags.zero && flags.width !== undefined) return sign + body.padStart(flags.width - sign.length, '0');
  return padWithSpaces(flags, sign + body);
}

// Go rounds the exact binary value of a float, ties to even; JS's toFixed and
// toExponential round ties away from zero (2.5 → "3" where Go prints "2").
/** round(x × 10^scale) for a finite x ≥ 0, computed exactly. */
function roundScaled(x: number, scale: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = Math.max(biased, 1) - 1075; // x = mantissa × 2^exponent
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator *= 10n ** BigInt(-scale);
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  const up = twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n);
  return up ? quotient + 1n : quotient;
}

/** The first `significant` decimal digits of x ≥ 0, rounded, and the exponent of the first. */
function roundedDigits(x: number, significant: number): { digits: string; exponent: number } {
  if (x === 0) return { digits: '0'.repeat(significant), exponent: 0 };
  let exponent = Math.floor(Math.log10(x));
  for (;;) {
    const digits = roundScaled(x, significant - 1 - exponent).toString();
    if (digits.length > significant) exponent++;
    else if (digits.length < significant) exponent--;
    else return { digits, exponent };
  }
}

function exponentSuffix(exponent: number): string {
  return `e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

// %g: exponent form for large or small exponents, else the plain digits, without trailing
// zeros. With no precision the digits are the shortest that round-trip and the exponent
// limit is 6 (so 1.5e+06).
function formatG(x: number, precision: number): string {
  const shortest = precision < 0;
  const significant = precision === 0 ? 1 : precision;
  let digits: string;
  let exponent: number;
  if (x === 0) [digits, exponent] = ['0', 0];
  else if (shortest) {
    const [mantissa, power] = x.toExponential().split('e');
    [digits, exponent] = [mantissa.replace('.', ''), Number(power)];
  } else ({ digits, exponent } = roundedDigits(x, significant));
  digits = digits.replace(/(.)0+$/, '$1');

  let limit = shortest ? 6 : significant;
  if (!shortest && limit > digits.length && digits.length >= exponent + 1) limit = digits.length;
  if (exponent < -4 || exponent >= limit) {
    const fraction = digits.slice(1);
    return digits[0] + (fraction ? `.${fraction}` : '') + exponentSuffix(exponent);
  }
  const pointAt = exponent + 1;
  const whole = pointAt > 0 ? digits.slice(0, pointAt).padEnd(pointAt, '0') : '0';
  let fraction = '';
  for (let i = 0; i < digits.length - pointAt; i++) fraction += digits[pointAt + i] ?? '0';
  return fraction ? `${whole}.${fraction}` : whole;
}

function formatE(x: number, precision: number): string {
  const { digits, exponent } = roundedDigits(x, precision + 1);
  return digits[0] + (precision > 0 ? `.${digits.slice(1)}` : '') + exponentSuffix(exponent);
}

function formatF(x: number, precision: number): string {
  const digits = roundScaled(x, precision).toString().padStart(precision + 1, '0');
  return precision === 0 ? digits : `${digits.slice(0, -precision)}.${digits.slice(-precision)}`;
}

// ---------------------------------------------------------------------------
// Quoting

function isPrint(rune: string): boolean {
  return rune === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(rune);
}

const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function escapeRune(rune: string, quote: string): string {
  if (rune === quote || rune === '\\') return `\\${rune}`;
  const code = rune.codePointAt(0)!;
  // A lone surrogate would become U+FFFD in UTF-8, which is printable.
  if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
  if (isPrint(rune)) return rune;
  if (SHORT_ESCAPES[rune]) return SHORT_ESCAPES[rune];
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** Go's strconv.Quote: a double-quoted string with Go escapes for what is not printable. */
export function quoteGo(text: string): string {
  let out = '"';
  for (const rune of text) out += escapeRune(rune, '"');
  return `${out}"`;
}

// ---------------------------------------------------------------------------
// Times

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function localTime(date: Date): { day: string; clock: string; fraction: string; offsetMinutes: number } {
  const ms = date.getMilliseconds();
  return {
    day: `${String(date.getFullYear()).padStart(4, '0')}-${two(date.getMonth() + 1)}-${two(date.getDate())}`,
    clock: `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`,
    fraction: ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`,
    offsetMinutes: -date.getTimezoneOffset(),
  };
}

function offsetText(minutes: number, separator: string): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${separator}${two(abs % 60)}`;
}

// Go names a zone by its abbreviation, or by its offset ("+03", "+0530") when it has none.
// Made once: building a DateTimeFormat costs a quarter of a millisecond, which a list of
// hundreds of times (`ps -a`) pays for every row.
let zoneFormat: Intl.DateTimeFormat | undefined;

function zoneName(date: Date, offsetMinutes: number): string {
  zoneFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const name = zoneFormat
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value;
  if (name && /^[A-Z]{2,5}$/.test(name) && (name !== 'GMT' || offsetMinutes === 0)) return name;
  const text = offsetText(offsetMinutes, '');
  return text.endsWith('00') ? text.slice(0, 3) : text;
}

/** time.Time's String(): `2006-01-02 15:04:05.999999999 -0700 MST`, in local time. */
function goTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  const t = localTime(date);
  return `${t.day} ${t.clock}${t.fraction} ${offsetText(t.offsetMinutes, '')} ${zoneName(date, t.offsetMinutes)}`;
}

function rfc3339(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('json: error calling MarshalJSON for type time.Time: invalid time');
  const t = localTime(date);
  return `${t.day}T${t.clock}${t.fraction}${t.offsetMinutes === 0 ? 'Z' : offsetText(t.offsetMinutes, ':')}`;
}

// ---------------------------------------------------------------------------
// JSON

export interface JSONOptions {
  /** Escape < > & as \u003c \u003e \u0026, as json.Marshal does (Docker's `json` function does not). */
  escapeHTML?: boolean;
}

/**
 * Go's encoding/json: compact, Map keys sorted, struct fields in order with undefined and
 * function-valued properties left out, Dates as RFC 3339, objects with toJSON encoded
 * through it. NaN and infinities are errors, as in Go.
 */
export function toGoJSON(value: unknown, options: JSONOptions = {}): string {
  const escapeHTML = options.escapeHTML ?? true;
  const encode = (v: unknown): string => {
    switch (kindOf(v)) {
      case 'nil':
        return 'null';
      case 'bool':
      case 'int':
        return String(v);
      case 'float':
        if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${formatValue(v)}`);
        return Object.is(v, -0) ? '-0' : String(v);
      case 'string':
        return quoteJSON(v as string, escapeHTML);
      case 'slice':
        return `[${(v as unknown[]).map(encode).join(',')}]`;
      case 'map': {
        const entries = sortedEntries(v as Map<unknown, unknown>);
        return `{${entries.map(([k, e]) => `${quoteJSON(String(k), escapeHTML)}:${encode(e)}`).join(',')}}`;
      }
      case 'time':
        return quoteJSON(rfc3339(v as Date), escapeHTML);
      case 'struct': {
        const toJSON = (v as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') return encode(toJSON.call(v));
        const fields = structFields(v as object).filter(([, field]) => field !== undefined);
        return `{${fields.map(([k, e]) => `${quoteJSON(k, escapeHTML)}:${encode(e)}`).join(',')}}`;
      }
      case 'func':
        throw new Error(`json: unsupported type: ${goTypeName(v)}`);
    }
  };
  return encode(value);
}

function quoteJSON(text: string, escapeHTML: boolean): string {
  let out = '"';
  for (const rune of text) {
    const code = rune.codePointAt(0)!;
    if (rune === '"' || rune === '\\') out += `\\${rune}`;
    else if (code < 0x20) out += '\b\f\n\r\t'.includes(rune) ? SHORT_ESCAPES[rune] : `\\u${code.toString(16).padStart(4, '0')}`;
    else if (escapeHTML && (rune === '<' || rune === '>' || rune === '&')) out += `\\u00${code.toString(16)}`;
    // Go escapes the JavaScript line terminators, and encodes invalid UTF-16 as U+FFFD.
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += rune;
  }
  return `${out}"`;
}
