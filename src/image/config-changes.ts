// `--change` for `berth import`: the Dockerfile instructions that Docker's import applies to a new
// image's config, read as a Dockerfile reads them. CMD and ENTRYPOINT take the JSON form or the
// shell form (run by /bin/sh -c); VOLUME takes JSON or words; the other instructions take words
// with quotes, backslash escapes and `$VAR` / `${VAR}` / `${VAR:-default}` / `${VAR:+alternative}`
// expanded from the ENV set by earlier changes, as Dockerfiles expand them (CMD and ENTRYPOINT
// are never expanded: the shell does that when the container starts).

import { posix } from 'node:path';
import { BerthError } from '../errors.js';
import { parseGoDuration } from '../format/go-duration.js';

/** The part of an image config's `config` object that changes can set. */
export interface ChangedConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Docker's HealthConfig, durations in nanoseconds, zero fields left out */
  Healthcheck?: ChangedHealthcheck;
}

export interface ChangedHealthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** A change that cannot be applied; applyChanges adds which change it was. */
class ChangeError extends Error {}

type Apply = (config: ChangedConfig, argument: string, env: ReadonlyMap<string, string>) => ChangedConfig;

const INSTRUCTIONS: Readonly<Record<string, Apply>> = {
  CMD: (config, argument) => ({ ...config, Cmd: commandLine(argument) }),
  ENTRYPOINT: (config, argument) => ({ ...config, Entrypoint: commandLine(argument) }),
  ENV: (config, argument, env) => {
    const variables = new Map((config.Env ?? []).map((entry) => [entry.split('=', 1)[0], entry]));
    for (const [name, value] of namedValues(argument, env, 'ENV')) variables.set(name, `${name}=${value}`);
    return { ...config, Env: [...variables.values()] };
  },
  LABEL: (config, argument, env) => ({ ...config, Labels: { ...config.Labels, ...Object.fromEntries(namedValues(argument, env, 'LABEL')) } }),
  EXPOSE: (config, argument, env) => {
    const ports = { ...config.ExposedPorts };
    for (const word of words(argument, env)) for (const port of exposedPorts(word)) ports[port] = {};
    return { ...config, ExposedPorts: ports };
  },
  VOLUME: (config, argument, env) => {
    const volumes = { ...config.Volumes };
    for (const path of jsonArray(argument) ?? words(argument, env)) {
      if (path.trim() === '') throw new ChangeError('VOLUME specified can not be an empty string');
      volumes[path] = {};
    }
    return { ...config, Volumes: volumes };
  },
  WORKDIR: (config, argument, env) => {
    const path = word(argument, env);
    // A relative WORKDIR continues from the previous one, as in a Dockerfile.
    return { ...config, WorkingDir: path.startsWith('/') ? path : posix.join('/', config.WorkingDir ?? '/', path) };
  },
  USER: (config, argument, env) => ({ ...config, User: word(argument, env) }),
  STOPSIGNAL: (config, argument, env) => ({ ...config, StopSignal: stopSignal(word(argument, env)) }),
  HEALTHCHECK: (config, argument) => ({ ...config, Healthcheck: healthcheck(argument) }),
};

/** The instructions `--change` accepts. */
export const CHANGE_INSTRUCTIONS: readonly string[] = Object.keys(INSTRUCTIONS).sort();

/** Applies each change in order; a change that is not one of CHANGE_INSTRUCTIONS is a usage error. */
export function applyChanges(changes: readonly string[], base: ChangedConfig = {}): ChangedConfig {
  let config = base;
  for (const change of changes) {
    const match = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(change);
    if (!match) continue;
    const instruction = match[1].toUpperCase();
    const apply = INSTRUCTIONS[instruction];
    try {
      if (!apply) throw new ChangeError(`${instruction} is not a valid change command; import accepts ${CHANGE_INSTRUCTIONS.join(', ')}`);
      if (match[2] === '') throw new ChangeError(`${instruction} requires at least one argument`);
      config = apply(config, match[2], environment(config));
    } catch (error) {
      throw error instanceof ChangeError ? new BerthError('usage', `invalid --change "${change}": ${error.message}`) : error;
    }
  }
  return config;
}


function environment(config: ChangedConfig): Map<string, string> {
  return new Map(
    (config.Env ?? []).map((entry) => {
      const equals = entry.indexOf('=');
      return equals === -1 ? [entry, ''] : [entry.slice(0, equals), entry.slice(equals + 1)];
    }),
  );
}

/** JSON form (`["echo","hi"]`) as written; anything else is shell form, run with /bin/sh -c. */
function commandLine(argument: string): string[] {
  return jsonArray(argument) ?? ['/bin/sh', '-c', argument];
}

/** `argument` as a JSON array of strings, or undefined when it is not one (and so is shell form). */
function jsonArray(argument: string): string[] | undefined {
  if (!argument.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(argument);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `ENV a=1 b="two words"` or the older `ENV name value with spaces`; LABEL likewise. Values are
 * expanded from the environment as it was before the instruction, as Docker does.
 */
function namedValues(argument: string, env: ReadonlyMap<string, string>, instruction: string): [string, string][] {
  const raw = rawWords(argument);
  if (!raw[0].includes('=')) {
    const rest = argument.slice(raw[0].length).trim();
    if (rest === '') throw new ChangeError(`${instruction} must have two arguments`);
    return [[nonEmptyName(word(raw[0], env), instruction), word(rest, env)]];
  }
  return raw.map((item) => {
    const equals = item.indexOf('=');
    if (equals === -1) throw new ChangeError(`syntax error - can't find = in "${item}". Must be of the form: name=value`);
    return [nonEmptyName(word(item.slice(0, equals), env), instruction), word(item.slice(equals + 1), env)];
  });
}

function nonEmptyName(name: string, instruction: string): string {
  if (name === '') throw new ChangeError(`${instruction} names can not be blank`);
  return name;
}

/** Splits at whitespace outside quotes, keeping quotes and escapes for `word` to resolve. */
function rawWords(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (char === '\\' && quote !== "'" && at + 1 < text.length) {
      current += char + text[at + 1];
      at += 1;
    } else if (quote) {
      current += char;
      if (char === quote) quote = undefined;
    } else if (/\s/.test(char)) {
      if (current !== '') result.push(current);
      current = '';
    } else {
      current += char;
      if (char === '"' || char === "'") quote = char;
    }
  }
  if (quote) throw new ChangeError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (current !== '') result.push(current);
  return result;
}

function words(text: string, env: ReadonlyMap<string, string>): string[] {
  return rawWords(text).map((raw) => word(raw, env));
}

/** One word with its quotes removed, escapes resolved and variables expanded; whitespace is kept. */
function word(text: string, env: ReadonlyMap<string, string>): string {
  let result = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '\\' && at + 1 < text.length) {
      result += text[at + 1];
      at += 2;
    } else if (char === "'") {
      const end = text.indexOf("'", at + 1);
      if (end === -1) throw new ChangeError('unterminated single quote');
      result += text.slice(at + 1, end);
      at = end + 1;
    } else if (char === '"') {
      at += 1;
      while (at < text.length && text[at] !== '"') {
        if (text[at] === '\\' && at + 1 < text.length && '"\\$'.includes(text[at + 1])) {
          result += text[at + 1];
          at += 2;
        } else if (text[at] === '$') {
          const [value, next] = variable(text, at, env);
          result += value;
          at = next;
        } else {
          result += text[at];
          at += 1;
        }
      }
      if (at >= text.length) throw new ChangeError('unterminated double quote');
      at += 1;
    } else if (char === '$') {
      const [value, next] = variable(text, at, env);
      result += value;
      at = next;
    } else {
      result += char;
      at += 1;
    }
  }
  return result;
}

/** Expands the variable at `text[at]` (a `$`); returns its value and where the text goes on. */
function variable(text: string, at: number, env: ReadonlyMap<string, string>): [string, number] {
  const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(at));
  if (simple) return [env.get(simple[1]) ?? '', at + simple[0].length];
  if (text[at + 1] !== '{') return ['$', at + 1];
  const end = text.indexOf('}', at + 2);
  if (end === -1) throw new ChangeError(`missing '}' in "${text.slice(at)}"`);
  const braced = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(text.slice(at + 2, end));
  if (!braced) throw new ChangeError(`bad substitution "${text.slice(at, end + 1)}"`);
  const [, name, modifier, alternative = ''] = braced;
  const value = env.get(name);
  const set = value !== undefined && value !== '';
  if (modifier === '-') return [set ? value : word(alternative, env), end + 1];
  if (modifier === '+') return [set ? word(alternative, env) : '', end + 1];
  return [value ?? '', end + 1];
}

/** `80`, `53/udp`, `8000-8002/tcp` → `80/tcp`, `53/udp`, `8000/tcp` … `8002/tcp`. */
function exposedPorts(spec: string): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(spec);
  if (!match) throw new ChangeError(`invalid containerPort: ${spec}`);
  const protocol = (match[3] ?? 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new ChangeError(`invalid proto: ${match[3]}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535 || last < first) throw new ChangeError(`invalid port range: ${spec}`);
  return Array.from({ length: last - first + 1 }, (_, offset) => `${first + offset}/${protocol}`);
}

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR',
  'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'UNUSED', 'URG', 'USR1', 'USR2', 'VTALRM',
  'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
]);

/** A signal number (1–64) or a Linux signal name with or without SIG; kept as written. */
function stopSignal(value: string): string {
  const name = value.toUpperCase().replace(/^SIG/, '');
  const number = /^\d+$/.test(value) ? Number(value) : undefined;
  const realtime = /^RTM(?:IN\+([1-9]|1[0-5])|AX-([1-9]|1[0-4]))$/.test(name);
  if ((number !== undefined && number >= 1 && number <= 64) || SIGNALS.has(name) || realtime) return value;
  throw new ChangeError(`invalid signal: ${value}`);
}

const HEALTHCHECK_FLAGS: Readonly<Record<string, keyof Omit<ChangedHealthcheck, 'Test'>>> = {
  interval: 'Interval',
  timeout: 'Timeout',
  'start-period': 'StartPeriod',
  'start-interval': 'StartInterval',
  retries: 'Retries',
};

/**
 * `HEALTHCHECK NONE`, or `HEALTHCHECK [--interval=… --timeout=… --start-period=… --start-interval=…
 * --retries=…] CMD …` as a Dockerfile takes it: CMD in JSON form is exec'd, in shell form it
 * becomes CMD-SHELL; durations as Go writes them, at least 1ms (0 means the default).
 */
function healthcheck(argument: string): ChangedHealthcheck {
  let rest = argument;
  const given = new Map<string, string>();
  for (let flag = /^--([^\s=]+)(=\S*)?\s*/.exec(rest); flag; flag = /^--([^\s=]+)(=\S*)?\s*/.exec(rest)) {
    const [whole, name, value] = flag;
    if (!(name in HEALTHCHECK_FLAGS)) throw new ChangeError(`unknown flag: ${name}`);
    if (given.has(name)) throw new ChangeError(`duplicate flag specified: ${name}`);
    if (value === undefined || value === '=') throw new ChangeError(`missing a value on flag: ${name}`);
    given.set(name, value.slice(1));
    rest = rest.slice(whole.length);
  }
  const type = /^\S*/.exec(rest)![0];
  const command = rest.slice(type.length).trim();
  if (type.toUpperCase() === 'NONE') {
    if (command !== '' || given.size > 0) throw new ChangeError('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (type.toUpperCase() !== 'CMD') throw new ChangeError(`Unknown type ${JSON.stringify(type.toUpperCase())} in HEALTHCHECK (try CMD)`);
  if (command === '') throw new ChangeError('Missing command after HEALTHCHECK CMD');
  const exec = jsonArray(command);
  const result: ChangedHealthcheck = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', command] };
  for (const [name, value] of given) {
    const field = HEALTHCHECK_FLAGS[name];
    if (field === 'Retries') {
      if (!/^[+-]?\d+$/.test(value)) throw new ChangeError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
      const retries = Number(value);
      if (retries < 0) throw new ChangeError(`--retries cannot be negative (${retries})`);
      if (retries > 0) result.Retries = retries;
      continue;
    }
    let nanoseconds: number;
    try {
      nanoseconds = parseGoDuration(value);
    } catch (error) {
      throw new ChangeError((error as Error).message);
    }
    if (nanoseconds !== 0 && nanoseconds < 1_000_000) throw new ChangeError(`Interval ${JSON.stringify(name)} cannot be less than 1ms`);
    if (nanoseconds !== 0) result[field] = nanoseconds;
  }
  return result;
}
