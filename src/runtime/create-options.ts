// `run`/`create` flags → Docker's ContainerCreate body (the CreateIntent) plus the settings
// that are not part of that body (RunOptions). Each flag is parsed by Docker's grammar and
// refused with Docker's message; the only I/O is reading the files the flags name
// (--env-file, --label-file, a seccomp profile), as Docker's CLI does.

import { readFileSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { availableParallelism } from 'node:os';
import { isAbsolute, posix, resolve } from 'node:path';
import { BerthError, usageError } from '../errors.js';
import { parsePlatform, type Platform } from '../image/platform.js';
import { validateName } from './containers/names.js';
import { parseGoDuration } from '../format/go-duration.js';
import { healthConfigFromFlags, type HealthConfig } from './health/config.js';
import { parseCreateIntent, type CreateIntent, type DeviceMapping, type MountSpec, type ThrottleDevice } from './intent.js';
import { signalNumber } from './signals.js';
import { parsePublish } from './network/ports.js';
import { PROPAGATIONS, splitBind } from './spec/mounts.js';
import { isVolumeName } from './volumes/store.js';
import type { Ulimit } from './spec/resources.js';

/** The parsed flags as oclif hands them over: strings, string lists and booleans, by long name. */
export interface ContainerFlags {
  readonly [name: string]: string | readonly string[] | boolean | undefined;
}

export type AttachStream = 'stdin' | 'stdout' | 'stderr';
export type PullPolicy = 'always' | 'missing' | 'never';

/** What `run`/`create` need besides the ContainerCreate body. */
export interface RunOptions {
  /** Docker name without the leading slash; undefined: a random one */
  readonly name?: string;
  readonly detach: boolean;
  readonly pull: PullPolicy;
  /** `-q`: no pull progress */
  readonly quiet: boolean;
  readonly platform?: Platform;
  readonly cidfile?: string;
  /** validated; Docker's default `ctrl-p,ctrl-q` when not given */
  readonly detachKeys: string;
  readonly sigProxy: boolean;
  /** the streams a foreground run attaches; empty with `-d` */
  readonly attach: readonly AttachStream[];
  /** Docker's warnings about flags it accepts but cannot honour, for stderr (without the `WARNING:` prefix) */
  readonly warnings: readonly string[];
}

export interface RunRequest {
  readonly intent: CreateIntent;
  readonly options: RunOptions;
}

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The daemon refuses less: the container could not even start. */
const MIN_MEMORY = 6 * 1024 * 1024;

/** Flags berth implements; every other flag of the table is declared only to be refused by name. */
const SUPPORTED_FLAGS = new Set([
  'annotation', 'attach', 'cap-add', 'cap-drop', 'cidfile', 'cpus', 'detach', 'detach-keys', 'disable-content-trust',
  'domainname', 'entrypoint', 'env', 'env-file', 'group-add', 'hostname', 'init', 'interactive', 'label', 'label-file',
  'log-driver', 'log-opt', 'memory', 'mount', 'name', 'network', 'pids-limit', 'platform', 'privileged', 'pull', 'quiet',
  'publish', 'publish-all', 'expose', 'dns', 'dns-search', 'dns-option', 'add-host', 'network-alias', 'ip', 'mac-address',
  'read-only', 'restart', 'rm', 'runtime', 'security-opt', 'sig-proxy', 'stop-signal', 'stop-timeout', 'tmpfs', 'tty',
  'ulimit', 'user', 'volume', 'volumes-from', 'workdir',
  // health checks
  'health-cmd', 'health-interval', 'health-retries', 'health-start-interval', 'health-start-period', 'health-timeout', 'no-healthcheck',
  // cgroup resources, devices and namespaces
  'blkio-weight', 'blkio-weight-device', 'cgroup-parent', 'cgroupns', 'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime',
  'cpu-shares', 'cpuset-cpus', 'cpuset-mems', 'device', 'device-cgroup-rule', 'device-read-bps', 'device-read-iops', 'device-write-bps',
  'device-write-iops', 'ipc', 'isolation', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'oom-kill-disable', 'oom-score-adj',
  'pid', 'shm-size', 'sysctl', 'userns', 'uts',
]);

/** How pflag names a flag in its messages: `-m, --memory` when it has a short form. */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  attach: 'a', env: 'e', label: 'l', memory: 'm', volume: 'v', user: 'u', workdir: 'w', hostname: 'h',
  'cpu-shares': 'c',
};

function flagName(flag: string): string {
  const short = SHORT_FORMS[flag];
  return short ? `-${short}, --${flag}` : `--${flag}`;
}

/** pflag's message for a value its type refuses; Docker exits 125 with it. */
function invalidArgument(flag: string, value: string, reason: string): BerthError {
  return usageError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flagName(flag))} flag: ${reason}`);
}

/** Runs a flag's parser, turning its complaint into pflag's `invalid argument` message. */
export function parsedFlag<T>(flag: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof BerthError && error.category === 'usage') throw invalidArgument(flag, value, error.message);
    throw error;
  }
}

// --- flag access -----------------------------------------------------------------------------

function text(flags: ContainerFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

function texts(flags: ContainerFlags, name: string): string[] {
  const value = flags[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : [...value];
}

function toggle(flags: ContainerFlags, name: string, fallback = false): boolean {
  const value = flags[name];
  return typeof value === 'boolean' ? value : fallback;
}

function isGiven(value: ContainerFlags[string]): boolean {
  if (value === undefined || value === false) return false;
  return !Array.isArray(value) || value.length > 0;
}

function rejectUnsupported(flags: ContainerFlags): void {
  for (const [name, value] of Object.entries(flags)) {
    if (!SUPPORTED_FLAGS.has(name) && isGiven(value)) throw usageError(`--${name} is not supported yet`);
  }
}

// --- numbers as Go parses them ---------------------------------------------------------------

/** strconv.ParseInt(text, 10, 64) with Go's message. */
export function parseGoInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw usageError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw usageError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  return number;
}

export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const BINARY_UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DECIMAL_UNITS: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units' size grammar: a number, an optional space, then `k`, `kb`, `kib` … or `b`. */
function parseSize(size: string, units: Readonly<Record<string, number>>): number {
  let separator = -1;
  for (let at = size.length - 1; at >= 0; at -= 1) {
    if ('0123456789. '.includes(size[at])) {
      separator = at;
      break;
    }
  }
  if (separator === -1) throw usageError(`invalid size: '${size}'`);
  const number = size[separator] === ' ' ? size.slice(0, separator) : size.slice(0, separator + 1);
  let suffix = size.slice(separator + 1);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(number)) throw usageError(`strconv.ParseFloat: parsing ${JSON.stringify(number)}: invalid syntax`);
  const value = Number(number);
  if (value < 0) throw usageError(`invalid size: '${size}'`);
  if (suffix === '') return Math.trunc(value);
  const badSuffix = (): BerthError => usageError(`invalid suffix: '${suffix}'`);
  if (suffix.length > 3) throw badSuffix();
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') {
    if (suffix.length > 1) throw badSuffix();
    return Math.trunc(value);
  }
  const multiplier = units[suffix[0]];
  if (multiplier === undefined) throw badSuffix();
  if ((suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) throw badSuffix();
  return Math.trunc(value * multiplier);
}

/** Docker's RAMInBytes: `512k`, `64m`, `1g`, `1.5GiB` and plain bytes, all powers of 1024. */
export function parseMemoryBytes(size: string): number {
  return parseSize(size, BINARY_UNITS);
}

/** go-units' FromHumanSize: powers of 1000, as json-file's max-size takes it. */
export function parseHumanSize(size: string): number {
  return parseSize(size, DECIMAL_UNITS);
}

/**
 * `--cpus` as an exact rational (`0.5`, `1.25`, `3/2`, `2e-1`) times 1e9: NanoCpus. A value
 * that is not a whole number of nano-CPUs is refused, as Docker does.
 */
export function parseNanoCpus(value: string): number {
  const failed = (): BerthError => usageError(`failed to parse ${value} as a rational number`);
  let numerator: bigint;
  let denominator: bigint;
  const fraction = /^([+-]?\d+)\/(\d+)$/.exec(value);
  const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (fraction) {
    numerator = BigInt(fraction[1]);
    denominator = BigInt(fraction[2]);
    if (denominator === 0n) throw failed();
  } else if (decimal && (decimal[2] !== '' || (decimal[3] ?? '') !== '')) {
    const [, sign, whole, fractional = '', exponent = '0'] = decimal;
    const scale = fractional.length - Number(exponent);
    numerator = BigInt(`${sign}${whole}${fractional}` || '0');
    if (scale >= 0) denominator = 10n ** BigInt(scale);
    else {
      numerator *= 10n ** BigInt(-scale);
      denominator = 1n;
    }
  } else {
    throw failed();
  }
  const scaled = numerator * 1_000_000_000n;
  if (scaled % denominator !== 0n) throw usageError('value is too precise');
  return Number(scaled / denominator);
}

// --- key=value lists and files ---------------------------------------------------------------

/** Docker's ValidateEnv: `KEY=VALUE` as is; a bare `KEY` takes its value from `environment` if set there. */
export function parseEnvFlag(value: string, environment: NodeJS.ProcessEnv = process.env): string {
  const equals = value.indexOf('=');
  const key = equals === -1 ? value : value.slice(0, equals);
  if (key === '') throw usageError(`invalid environment variable: ${value}`);
  if (equals !== -1) return value;
  const found = environment[key];
  return found === undefined ? value : `${key}=${found}`;
}

/**
 * A file of `KEY=VALUE` lines, as Docker reads env and label files: leading whitespace and
 * `#` comment lines skipped, the value kept verbatim, a key with whitespace refused. A bare
 * `KEY` takes its value from `lookup` (env files), and is dropped when it finds none or when
 * there is no lookup (label files).
 */
export function parseKeyValueFile(content: Uint8Array, lookup?: (key: string) => string | undefined): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const result: string[] = [];
  const bytes = Buffer.from(content);
  let start = 0;
  for (let lineNumber = 1; start < bytes.length; lineNumber += 1) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    let raw = bytes.subarray(start, end);
    start = end + 1;
    if (raw.length > 0 && raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
    if (lineNumber === 1 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
    let line: string;
    try {
      line = decoder.decode(raw);
    } catch {
      throw usageError(`invalid utf8 bytes at line ${lineNumber}: [${[...raw].join(' ')}]`);
    }
    line = line.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const key = equals === -1 ? line : line.slice(0, equals);
    if (key === '') throw usageError(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw usageError(`variable '${key}' contains whitespaces`);
    if (equals !== -1) {
      result.push(line);
      continue;
    }
    const found = lookup?.(line);
    if (found !== undefined) result.push(`${key}=${found}`);
  }
  return result;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
};

function readNamedFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw usageError(`open ${path}: ${ERRNO_TEXT[code] ?? (error as Error).message}`);
  }
}

function readKeyValueFiles(flag: string, files: readonly string[], lookup?: (key: string) => string | undefined): string[] {
  const result: string[] = [];
  for (const file of files) {
    const content = readNamedFile(file);
    try {
      result.push(...parseKeyValueFile(content, lookup));
    } catch (error) {
      throw usageError(`${flag}: invalid env file (${file}): ${(error as Error).message}`);
    }
  }
  return result;
}

/** `-e` and `--env-file` as Docker combines them: the files' entries first, then each `-e`. */
export function parseEnvironment(env: readonly string[], envFiles: readonly string[], environment: NodeJS.ProcessEnv = process.env): string[] {
  const flagged = env.map((value) => parsedFlag('env', value, (entry) => parseEnvFlag(entry, environment)));
  let fromFiles: string[];
  try {
    fromFiles = readKeyValueFiles('--env-file', envFiles, (key) => environment[key]);
  } catch (error) {
    if (error instanceof BerthError && !error.message.startsWith('--env-file')) throw usageError(`--env-file: ${error.message}`);
    throw error;
  }
  return [...fromFiles, ...flagged];
}

/** Docker's ValidateLabel: a name is required and has no whitespace; `KEY` alone is an empty value. */
export function validateLabel(value: string): string {
  const key = value.split('=', 1)[0].replace(/^[ \t]+/, '');
  if (key === '') throw usageError(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw usageError(`label '${key}' contains whitespaces`);
  return value;
}

/** `KEY=VALUE` strings as a map, later keys winning; `KEY` alone maps to "". */
export function keyValueMap(entries: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals === -1) result[entry] = '';
    else result[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return result;
}

export function parseLabels(labels: readonly string[], labelFiles: readonly string[]): Record<string, string> {
  const flagged = labels.map((value) => parsedFlag('label', value, validateLabel));
  let fromFiles: string[];
  try {
    fromFiles = readKeyValueFiles('--label-file', labelFiles);
  } catch (error) {
    if (error instanceof BerthError && !error.message.startsWith('--label-file')) throw usageError(`--label-file: ${error.message}`);
    throw error;
  }
  return keyValueMap([...fromFiles, ...flagged]);
}

// --- mounts ----------------------------------------------------------------------------------

function checkVolumeName(source: string): void {
  if (isVolumeName(source)) return;
  throw usageError(
    `create ${source}: ${JSON.stringify(source)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
  );
}

/** What one `-v` is: a HostConfig.Binds entry (host path or volume name) or an anonymous volume's path. */
export type VolumeFlag = { readonly bind: string } | { readonly anonymous: string };

/**
 * `-v SRC:DST[:OPTS]` → HostConfig.Binds, `-v /DST` → Config.Volumes, as Docker's CLI splits
 * them. A source starting with `.` is made absolute against the current directory; a source
 * that is not a path names a volume (created on demand).
 */
export function parseVolumeFlag(value: string, cwd: string = process.cwd()): VolumeFlag {
  const colon = value.indexOf(':');
  if (colon === -1) {
    if (value.startsWith('/')) return { anonymous: posix.normalize(value).replace(/(.)\/+$/, '$1') };
    throw usageError(`invalid volume specification: '${value}'`);
  }
  let source = value.slice(0, colon);
  const rest = value.slice(colon);
  if (!isAbsolute(source) && source.startsWith('.')) source = resolve(cwd, source);
  if (!source.startsWith('/')) checkVolumeName(source);
  const bind = `${source}${rest}`;
  splitBind(bind);
  return { bind };
}

/** `--volumes-from CONTAINER[:ro|rw]`: Docker's ParseVolumesFrom checks. */
export function parseVolumesFrom(value: string): string {
  if (value === '') throw usageError('volumes-from specification cannot be an empty string');
  const colon = value.indexOf(':');
  const mode = colon === -1 ? '' : value.slice(colon + 1);
  if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw usageError(`invalid mode: ${mode}`);
  return value;
}

/** Go's encoding/csv for one record: commas separate fields, double quotes protect them. */
function csvFields(value: string): string[] {
  const fields: string[] = [];
  let at = 0;
  while (at <= value.length) {
    if (value[at] === '"') {
      let field = '';
      at += 1;
      for (;;) {
        if (at >= value.length) throw usageError(`parse error on line 1, column ${at + 1}: extraneous or missing " in quoted-field`);
        if (value[at] === '"') {
          if (value[at + 1] === '"') {
            field += '"';
            at += 2;
            continue;
          }
          at += 1;
          break;
        }
        field += value[at];
        at += 1;
      }
      if (at < value.length && value[at] !== ',') throw usageError(`parse error on line 1, column ${at + 1}: extraneous or missing " in quoted-field`);
      fields.push(field);
      at += 1;
    } else {
      const comma = value.indexOf(',', at);
      const end = comma === -1 ? value.length : comma;
      const field = value.slice(at, end);
      if (field.includes('"')) throw usageError(`parse error on line 1, column ${at + field.indexOf('"') + 1}: bare " in non-quoted-field`);
      fields.push(field);
      at = end + 1;
    }
  }
  return fields;
}

const MOUNT_KEYS = new Set(['volume-subpath', 'volume-nocopy', 'volume-label', 'volume-driver', 'volume-opt', 'tmpfs-size', 'tmpfs-mode', 'image-subpath']);

function keyValue(field: string, value: string): [string, string] {
  const equals = value.indexOf('=');
  if (equals <= 0) throw usageError(`invalid value for '${field}': ${value}`);
  return [value.slice(0, equals), value.slice(equals + 1)];
}

/**
 * `--mount` in Docker's CSV grammar: `type=bind,source=/a,target=/b[,readonly][,bind-propagation=…]`,
 * `type=volume[,source=NAME],target=/b[,readonly][,volume-nocopy][,volume-label=k=v][,volume-opt=k=v]`
 * (the default type) and `type=tmpfs,target=/b[,tmpfs-size=…][,tmpfs-mode=…]`.
 */
export function parseMountFlag(value: string, cwd: string = process.cwd()): MountSpec {
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let propagation: string | undefined;
  let noCopy = false;
  let driver: string | undefined;
  let tmpfsSize: number | undefined;
  let tmpfsMode: number | undefined;
  const volumeLabels: Record<string, string> = {};
  const volumeOptions: Record<string, string> = {};
  const families = new Set<string>();
  const bool = (key: string, val: string): boolean => {
    const parsed = parseGoBool(val);
    if (parsed === undefined) throw usageError(`invalid value for ${key}: ${val}`);
    return parsed;
  };
  for (const field of csvFields(value)) {
    const equals = field.indexOf('=');
    const key = (equals === -1 ? field : field.slice(0, equals)).toLowerCase();
    const val = equals === -1 ? '' : field.slice(equals + 1);
    if (equals === -1) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') {
        noCopy = true;
        families.add('volume');
      } else if (key === 'bind-nonrecursive') throw usageError('bind-nonrecursive is not supported yet');
      else throw usageError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = !isAbsolute(val) && val.startsWith('.') ? resolve(cwd, val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readOnly = bool(key, val);
        break;
      case 'consistency':
        break; // Docker Desktop's hint; meaningless on Linux, as in Docker
      case 'bind-propagation':
        propagation = val.toLowerCase();
        families.add('bind');
        break;
      case 'bind-recursive':
        if (val !== 'enabled') throw usageError(`bind-recursive=${val} is not supported yet`);
        families.add('bind');
        break;
      case 'bind-nonrecursive':
        throw usageError('bind-nonrecursive is not supported yet');
      case 'volume-nocopy':
        noCopy = bool(key, val);
        families.add('volume');
        break;
      case 'volume-label': {
        const [labelKey, labelValue] = keyValue(key, val);
        volumeLabels[labelKey] = labelValue;
        families.add('volume');
        break;
      }
      case 'volume-opt': {
        const [optionKey, optionValue] = keyValue(key, val);
        volumeOptions[optionKey] = optionValue;
        families.add('volume');
        break;
      }
      case 'volume-driver':
        driver = val;
        families.add('volume');
        break;
      case 'tmpfs-size':
        tmpfsSize = parseMemoryBytes(val);
        families.add('tmpfs');
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val)) throw usageError(`invalid value for ${key}: ${val}`);
        tmpfsMode = Number.parseInt(val, 8);
        families.add('tmpfs');
        break;
      case 'volume-subpath':
      case 'image-subpath':
        throw usageError(`${key} is not supported yet`);
      default:
        if (MOUNT_KEYS.has(key)) {
          families.add(key.split('-', 1)[0]);
          break;
        }
        throw usageError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') throw usageError('type is required');
  if (target === '') throw usageError('target is required');
  for (const family of families) {
    if (family !== type) throw usageError(`cannot mix '${family}-*' options with mount type '${type}'`);
  }
  const invalid = (reason: string) => usageError(`invalid mount config for type ${JSON.stringify(type)}: ${reason}`);
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') {
    throw usageError(type === 'image' ? "mount type 'image' is not supported yet" : `mount type '${type}' is not a mount type`);
  }
  if (!target.startsWith('/')) throw invalid(`invalid mount path: '${target}' mount path must be absolute`);
  if (type === 'tmpfs') {
    if (source !== '') throw invalid('field Source must not be specified');
    const options = { ...(tmpfsSize !== undefined ? { SizeBytes: tmpfsSize } : {}), ...(tmpfsMode !== undefined ? { Mode: tmpfsMode } : {}) };
    return { Type: 'tmpfs', Target: target, ...(readOnly ? { ReadOnly: true } : {}), ...(Object.keys(options).length > 0 ? { TmpfsOptions: options } : {}) };
  }
  if (type === 'volume') {
    if (source.startsWith('/')) throw invalid(`invalid volume name: '${source}': use type=bind for a host path`);
    if (source !== '') checkVolumeName(source);
    if (driver !== undefined && driver !== '' && driver !== 'local') throw usageError(`volume driver ${JSON.stringify(driver)} is not supported: berth has the local driver only`);
    const hasOptions = noCopy || Object.keys(volumeLabels).length > 0 || Object.keys(volumeOptions).length > 0 || driver !== undefined;
    return {
      Type: 'volume',
      ...(source !== '' ? { Source: source } : {}),
      Target: target,
      ...(readOnly ? { ReadOnly: true } : {}),
      ...(hasOptions
        ? {
            VolumeOptions: {
              ...(noCopy ? { NoCopy: true } : {}),
              ...(Object.keys(volumeLabels).length > 0 ? { Labels: volumeLabels } : {}),
              ...(driver !== undefined || Object.keys(volumeOptions).length > 0 ? { DriverConfig: { Name: driver || 'local', Options: volumeOptions } } : {}),
            },
          }
        : {}),
    };
  }
  if (source === '') throw invalid('field Source must not be empty');
  if (!source.startsWith('/')) throw invalid(`invalid mount path: '${source}' mount path must be absolute`);
  if (propagation !== undefined && !PROPAGATIONS.has(propagation)) throw invalid(`invalid propagation mode: ${propagation}`);
  return {
    Type: 'bind',
    Source: source,
    Target: target,
    ...(readOnly ? { ReadOnly: true } : {}),
    ...(propagation !== undefined ? { BindOptions: { Propagation: propagation } } : {}),
  };
}

/** `--tmpfs /path[:options]` → HostConfig.Tmpfs; a later one for the same path wins. */
export function parseTmpfs(values: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const path = colon === -1 ? value : value.slice(0, colon);
    if (!path.startsWith('/')) throw usageError(`invalid mount config for type "tmpfs": invalid mount path: '${path}' mount path must be absolute`);
    result[path] = colon === -1 ? '' : value.slice(colon + 1);
  }
  return result;
}

/** Docker refuses two mounts on one path among -v, --mount and --tmpfs. */
function checkDuplicateMountPoints(binds: readonly string[], mounts: readonly MountSpec[], tmpfs: Readonly<Record<string, string>>): void {
  const seen = new Set<string>();
  const targets = [...binds.map((bind) => splitBind(bind).target), ...mounts.map((mount) => mount.Target)];
  for (const target of targets) {
    const clean = target.replace(/\/+$/, '') || '/';
    if (seen.has(clean) || Object.hasOwn(tmpfs, clean)) throw usageError(`Duplicate mount point: ${target}`);
    seen.add(clean);
  }
}

// --- resources and policies ------------------------------------------------------------------

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
  'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

/** go-units' ParseUlimit: `name=soft[:hard]`, hard defaulting to soft, -1 for unlimited. */
export function parseUlimit(value: string): Ulimit {
  const equals = value.indexOf('=');
  if (equals === -1) throw usageError(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, equals);
  if (!ULIMIT_NAMES.has(name)) throw usageError(`invalid ulimit type: ${name}`);
  const limits = value.slice(equals + 1).split(':');
  if (limits.length > 2) throw usageError(`too many limit value arguments - ${value.slice(equals + 1)}, can only have up to two, \`soft[:hard]\``);
  const soft = parseGoInt(limits[0]);
  const hard = limits.length === 2 ? parseGoInt(limits[1]) : soft;
  if (hard !== -1) {
    if (soft === -1) throw usageError(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) throw usageError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { Name: name, Soft: soft, Hard: hard };
}

export type RestartPolicy = NonNullable<CreateIntent['HostConfig']['RestartPolicy']>;

/** `no`, `always`, `unless-stopped`, `on-failure[:N]`, with the CLI's and the daemon's checks. */
export function parseRestartPolicy(value: string): RestartPolicy {
  if (value === '') return { Name: 'no' };
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  const count = colon === -1 ? '' : value.slice(colon + 1);
  if (colon !== -1 && name === '') throw usageError('invalid restart policy format: no policy provided before colon');
  let maximum = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) throw usageError('invalid restart policy format: maximum retry count must be an integer');
    maximum = Number(count);
  }
  switch (name) {
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (maximum !== 0) {
        throw usageError(`invalid restart policy: maximum retry count can only be used with 'on-failure'${maximum < 0 ? ' and cannot be negative' : ''}`);
      }
      return { Name: name };
    case 'on-failure':
      if (maximum < 0) throw usageError('invalid restart policy: maximum retry count cannot be negative');
      return { Name: name, MaximumRetryCount: maximum };
    default:
      throw usageError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
}

const OTHER_LOG_DRIVERS = new Set(['local', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries']);
const LATER_JSON_FILE_OPTIONS = new Set(['compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);

/** `--log-driver` and `--log-opt`: json-file (the default) with max-size/max-file, or none. */
export function parseLogConfig(driver: string | undefined, options: readonly string[]): { Type: string; Config: Record<string, string> } {
  const type = driver || 'json-file';
  const config = keyValueMap(options);
  if (type === 'none') {
    if (options.length > 0) throw usageError('invalid logging opts for driver none');
    return { Type: type, Config: {} };
  }
  if (type !== 'json-file') {
    if (OTHER_LOG_DRIVERS.has(type)) throw usageError(`logging driver ${JSON.stringify(type)} is not supported yet (json-file and none are)`);
    throw usageError(`logger: no log driver named '${type}' is registered`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (key === 'max-size') {
      let size: number;
      try {
        size = parseHumanSize(value);
      } catch (error) {
        throw usageError(`invalid max-size ${JSON.stringify(value)}: ${(error as Error).message}`);
      }
      if (size <= 0) throw usageError('max-size must be a positive number');
    } else if (key === 'max-file') {
      if (!/^[+-]?\d+$/.test(value)) throw usageError(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
      if (Number(value) < 1) throw usageError('max-file cannot be less than 1');
    } else if (LATER_JSON_FILE_OPTIONS.has(key)) {
      throw usageError(`log opt '${key}' is not supported yet`);
    } else {
      throw usageError(`unknown log opt '${key}' for json-file log driver`);
    }
  }
  return { Type: type, Config: config };
}

export interface SecurityOptions {
  /** as Docker's CLI sends them: a seccomp FILE replaced by `seccomp=<its compact JSON>` */
  readonly securityOpt: string[];
  /** `systempaths=unconfined`: nothing masked or read-only under /proc and /sys */
  readonly unconfinedSystemPaths: boolean;
}

/**
 * `--security-opt`: `seccomp=unconfined|builtin|FILE`, `no-new-privileges[=|:bool]` and
 * `systempaths=unconfined`; the other options Docker knows are refused by name.
 */
export function parseSecurityOpts(values: readonly string[]): SecurityOptions {
  const securityOpt: string[] = [];
  let unconfinedSystemPaths = false;
  for (const option of values) {
    if (option === 'no-new-privileges') {
      securityOpt.push(option);
      continue;
    }
    let separator = option.indexOf('=');
    if (separator === -1) separator = option.indexOf(':');
    const key = separator === -1 ? option : option.slice(0, separator);
    const value = separator === -1 ? '' : option.slice(separator + 1);
    if (separator === -1 || value === '') throw usageError(`invalid --security-opt: ${JSON.stringify(option)}`);
    switch (key) {
      case 'seccomp':
        if (value === 'unconfined') securityOpt.push('seccomp=unconfined');
        else if (value !== 'builtin') securityOpt.push(`seccomp=${readSeccompProfile(value)}`);
        break;
      case 'no-new-privileges':
        if (parseGoBool(value) === undefined) throw usageError(`invalid --security-opt 2: ${JSON.stringify(option)}`);
        securityOpt.push(`no-new-privileges=${parseGoBool(value)}`);
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw usageError(`invalid --security-opt: ${JSON.stringify(option)}`);
        unconfinedSystemPaths = true;
        break;
      case 'label':
      case 'apparmor':
      case 'writable-cgroups':
        throw usageError(`--security-opt ${key} is not supported yet`);
      default:
        throw usageError(`invalid --security-opt 2: ${JSON.stringify(option)}`);
    }
  }
  return { securityOpt, unconfinedSystemPaths };
}

/** Docker's CLI sends the profile's content, compacted, not its path. */
function readSeccompProfile(path: string): string {
  let content: string;
  try {
    content = readNamedFile(path).toString('utf8');
  } catch (error) {
    throw usageError(`opening seccomp profile (${path}) failed: ${(error as Error).message}`);
  }
  try {
    return JSON.stringify(JSON.parse(content));
  } catch (error) {
    throw usageError(`compacting json for seccomp profile (${path}) failed: ${(error as Error).message}`);
  }
}

const ATTACH_STREAMS: readonly AttachStream[] = ['stdin', 'stdout', 'stderr'];

export function parseAttach(value: string): AttachStream {
  const stream = value.toLowerCase() as AttachStream;
  if (!ATTACH_STREAMS.includes(stream)) throw usageError('valid streams are STDIN, STDOUT and STDERR');
  return stream;
}

/** The control characters `ctrl-@` … `ctrl-_` in ASCII order, as moby/term names them. */
const CONTROL_KEYS = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/** `--detach-keys`: comma-separated single characters, `ctrl-<x>` or `DEL`, as byte codes. */
export function detachKeyCodes(keys: string): number[] {
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const control = /^ctrl-(.)$/.exec(key);
    const index = control ? CONTROL_KEYS.indexOf(control[1]) : -1;
    if (index >= 0) codes.push(index);
    else if (key === 'DEL') codes.push(127);
    else throw usageError(`Invalid detach keys (${keys}) provided`);
  }
  return codes;
}

function parsePullPolicy(value: string | undefined): PullPolicy {
  if (value === undefined || value === '' || value === 'missing') return 'missing';
  if (value === 'always' || value === 'never') return value;
  throw usageError(`invalid pull option: '${value}': must be one of "always", "missing" or "never"`);
}

const RUNC_NAMES = new Set(['io.containerd.runc.v2', 'runc']);

/** `--runtime`: runc under its names, or the absolute path of a runc-compatible binary. */
export function validateRuntime(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (RUNC_NAMES.has(value) || value.startsWith('/')) return value;
  throw usageError(`unknown or invalid runtime name: ${value}`);
}

function nonEmpty<T>(values: T[]): T[] | undefined {
  return values.length > 0 ? values : undefined;
}

/** `--dns`: an IP address, as Docker's ValidateIPAddress has it. */
function parseDnsServer(value: string): string {
  const address = value.trim();
  if (isIP(address) === 0) throw usageError(`${value} is not an ip address`);
  return address;
}

/** `--add-host NAME:IP` or `NAME=IP`, IP possibly `host-gateway`; stored as `NAME:IP`. */
function parseExtraHost(value: string): string {
  const separator = value.includes('=') ? value.indexOf('=') : value.indexOf(':');
  const name = value.slice(0, separator);
  let address = value.slice(separator + 1);
  if (separator <= 0 || name === '') throw usageError(`bad format for add-host: ${JSON.stringify(value)}`);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address !== 'host-gateway' && isIP(address) === 0) throw usageError(`invalid IP address in add-host: ${JSON.stringify(address)}`);
  return `${name}:${address}`;
}

/**
 * `-p`, `-P` and `--expose`. Under `--network host` Docker warns and drops the bindings; under
 * `none` (berth's default until issue 6) a binding could never be reached, so it is refused.
 */
function publishedPorts(
  networkMode: string,
  publish: readonly string[],
  expose: readonly string[],
  publishAll: boolean,
  warn: (message: string) => void,
): { exposed?: Record<string, Record<string, never>>; bindings?: Record<string, { HostIp: string; HostPort: string }[]>; publishAll?: boolean } {
  const spec = parsePublish(publish, expose);
  const hasBindings = Object.keys(spec.bindings).length > 0 || publishAll;
  const exposed = Object.keys(spec.exposed).length > 0 ? spec.exposed : undefined;
  if (hasBindings && networkMode === 'host') {
    warn('Published ports are discarded when using host network mode');
    return { exposed };
  }
  if (hasBindings && networkMode === 'none') {
    throw usageError('published ports need a network: a container on --network none has no address to publish');
  }
  // An IPv6 host address reaches the (IPv4) container through the container's logger, which
  // proxies TCP as Docker's userland proxy does; it has no UDP proxy
  for (const [port, list] of Object.entries(spec.bindings)) {
    const ipv6 = list.find((binding) => binding.HostIp.includes(':'));
    if (ipv6 && !port.endsWith('/tcp')) {
      throw usageError(`publishing ${port} on an IPv6 address ([${ipv6.HostIp}]:${ipv6.HostPort}) is not supported: berth proxies TCP only there; publish it on an IPv4 address`);
    }
  }
  return { exposed, bindings: Object.keys(spec.bindings).length > 0 ? spec.bindings : undefined, publishAll: publishAll || undefined };
}

/** none, host, bridge (the default, as Docker's) or a user network's name (whether it exists is create's to find out). */
function parseNetworkMode(value: string | undefined): string {
  if (value === undefined || value === '' || value === 'default') return 'bridge';
  if (value === 'container:' || value === 'container') throw usageError(`invalid container format container:<name|id>`);
  return value;
}

/** `--network container:<name|id>` shares another container's network stack: what Docker refuses beside it. */
function checkContainerNetworkMode(networkMode: string, flags: ContainerFlags): void {
  if (!networkMode.startsWith('container:')) return;
  if (text(flags, 'hostname')) throw usageError('conflicting options: hostname and the network mode');
  if (texts(flags, 'publish').length > 0 || toggle(flags, 'publish-all')) throw usageError('conflicting options: port publishing and the container type network mode');
  if (texts(flags, 'expose').length > 0) throw usageError('conflicting options: port exposing and the container type network mode');
  if (texts(flags, 'dns').length > 0 || texts(flags, 'dns-search').length > 0 || texts(flags, 'dns-option').length > 0) throw usageError('conflicting options: dns and the network mode');
  if (texts(flags, 'add-host').length > 0) throw usageError('conflicting options: custom host-to-IP mapping and the network mode');
  if (text(flags, 'mac-address')) throw usageError('conflicting options: mac-address and the network mode');
}

/** `--network-alias`, `--ip`, `--mac-address`: the endpoint's settings on the one network given. */
function endpointSettings(networkMode: string, aliases: readonly string[], ip: string | undefined, mac: string | undefined) {
  if (aliases.length === 0 && !ip && !mac) return undefined;
  if (networkMode === 'none' || networkMode === 'host' || networkMode.startsWith('container:')) {
    if (mac) throw usageError('conflicting options: mac-address and the network mode');
    throw usageError(aliases.length > 0 ? 'network-scoped alias is supported only for containers in user defined networks' : 'user specified IP address is supported on user defined networks only');
  }
  if (ip !== undefined && !isIPv4(ip)) throw invalidArgument('ip', ip, `invalid IPv4 address: ${ip}`);
  if (mac !== undefined && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(mac)) throw usageError(`${mac} is not a valid mac address`);
  return {
    EndpointsConfig: {
      [networkMode]: {
        ...(aliases.length > 0 ? { Aliases: [...aliases] } : {}),
        ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}),
        ...(mac ? { MacAddress: mac } : {}),
      },
    },
  };
}

/** The body as Docker's JSON would carry it: fields not set are absent, not `undefined`. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** `--health-*` and `--no-healthcheck` → Config.Healthcheck; undefined leaves the image's check as it is. */
export function parseHealthFlags(flags: ContainerFlags): HealthConfig | undefined {
  const duration = (flag: string) => {
    const value = text(flags, flag);
    return value === undefined ? undefined : parsedFlag(flag, value, parseGoDuration);
  };
  const retries = text(flags, 'health-retries');
  return healthConfigFromFlags({
    cmd: text(flags, 'health-cmd'),
    interval: duration('health-interval'),
    timeout: duration('health-timeout'),
    startPeriod: duration('health-start-period'),
    startInterval: duration('health-start-interval'),
    retries: retries === undefined ? undefined : parsedFlag('health-retries', retries, parseGoInt),
    disabled: toggle(flags, 'no-healthcheck'),
  });
}

// --- the whole request -----------------------------------------------------------------------

/** Everything the environment gives a run: the variables bare `-e KEY` reads, the directory `-v ./x` is relative to. */
export interface FlagContext {
  readonly environment?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * The flags of `run` or `create`, the image and the command after it → the validated intent
 * and the run options. Errors are Docker's: usage errors (exit 125), except `-a` with `-d`.
 */
export function toRunRequest(flags: ContainerFlags, image: string, args: readonly string[], context: FlagContext = {}): RunRequest {
  const environment = context.environment ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  rejectUnsupported(flags);
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);

  // Values pflag would refuse while parsing the command line come first.
  const attachFlags = texts(flags, 'attach').map((value) => parsedFlag('attach', value, parseAttach));
  const memoryText = text(flags, 'memory');
  const memory = memoryText === undefined ? undefined : parsedFlag('memory', memoryText, parseMemoryBytes);
  if (memory !== undefined && memory > 0 && memory < MIN_MEMORY) throw usageError('Minimum memory limit allowed is 6MB');
  const cpusText = text(flags, 'cpus');
  const nanoCpus = cpusText === undefined ? undefined : parsedFlag('cpus', cpusText, parseNanoCpus);
  const pidsText = text(flags, 'pids-limit');
  const pidsLimit = pidsText === undefined ? undefined : parsedFlag('pids-limit', pidsText, parseGoInt);
  const stopTimeoutText = text(flags, 'stop-timeout');
  const stopTimeout = stopTimeoutText === undefined ? undefined : parsedFlag('stop-timeout', stopTimeoutText, parseGoInt);
  const ulimits = new Map<string, Ulimit>();
  for (const value of texts(flags, 'ulimit')) {
    const ulimit = parsedFlag('ulimit', value, parseUlimit);
    ulimits.delete(ulimit.Name);
    ulimits.set(ulimit.Name, ulimit);
  }
  const mounts = texts(flags, 'mount').map((value) => parsedFlag('mount', value, (entry) => parseMountFlag(entry, cwd)));
  const healthcheck = parseHealthFlags(flags);
  const resources = resourceHostConfig(flags);

  const env = parseEnvironment(texts(flags, 'env'), texts(flags, 'env-file'), environment);
  const labels = parseLabels(texts(flags, 'label'), texts(flags, 'label-file'));
  const volumeFlags = texts(flags, 'volume').map((value) => parseVolumeFlag(value, cwd));
  const binds = volumeFlags.flatMap((entry) => ('bind' in entry ? [entry.bind] : []));
  const anonymousVolumes = volumeFlags.flatMap((entry) => ('anonymous' in entry ? [entry.anonymous] : []));
  const volumesFrom = texts(flags, 'volumes-from').map(parseVolumesFrom);
  const tmpfs = parseTmpfs(texts(flags, 'tmpfs'));
  checkDuplicateMountPoints(binds, mounts, tmpfs);

  const restartText = text(flags, 'restart');
  const restartPolicy = parseRestartPolicy(restartText ?? 'no');
  const autoRemove = toggle(flags, 'rm');
  if (autoRemove && restartPolicy.Name !== 'no') throw usageError('conflicting options: cannot specify both --restart and --rm');

  const logConfig = parseLogConfig(text(flags, 'log-driver'), texts(flags, 'log-opt'));
  const security = parseSecurityOpts(texts(flags, 'security-opt'));

  const stopSignal = text(flags, 'stop-signal');
  if (stopSignal !== undefined && stopSignal !== '' && signalNumber(stopSignal) === undefined) {
    throw usageError(`Invalid signal: ${stopSignal}`);
  }
  if (nanoCpus !== undefined) {
    const cpus = availableParallelism();
    if (nanoCpus < 0 || nanoCpus > cpus * 1e9) {
      throw usageError(`range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
    }
  }
  const runtime = validateRuntime(text(flags, 'runtime'));
  const networkMode = parseNetworkMode(text(flags, 'network'));
  checkContainerNetworkMode(networkMode, flags);
  const ports = publishedPorts(networkMode, texts(flags, 'publish'), texts(flags, 'expose'), toggle(flags, 'publish-all'), warn);
  const networking = endpointSettings(networkMode, texts(flags, 'network-alias'), text(flags, 'ip') || undefined, text(flags, 'mac-address') || undefined);

  const name = text(flags, 'name');
  const detach = toggle(flags, 'detach');
  const interactive = toggle(flags, 'interactive');
  const detachKeys = text(flags, 'detach-keys') || DEFAULT_DETACH_KEYS;
  detachKeyCodes(detachKeys);
  const pull = parsePullPolicy(text(flags, 'pull'));
  const platformText = text(flags, 'platform') ?? environment.DOCKER_DEFAULT_PLATFORM;
  const platform = platformText ? parsePlatform(platformText) : undefined;

  // Docker's CLI: -i attaches stdin, no -a attaches stdout and stderr, -d attaches nothing.
  const attach = new Set<AttachStream>(attachFlags);
  if (interactive) attach.add('stdin');
  if (attachFlags.length === 0) {
    attach.add('stdout');
    attach.add('stderr');
  }
  if (detach) {
    // Docker's CLI returns this one as a plain error: exit 1, not 125.
    if (attachFlags.length > 0) throw new BerthError('invalid-argument', 'conflicting options: cannot specify both --attach and --detach');
    attach.clear();
  }

  const entrypoint = text(flags, 'entrypoint');
  const annotations = keyValueMap(texts(flags, 'annotation'));
  const tty = toggle(flags, 'tty');
  const cidfile = text(flags, 'cidfile');
  const body = {
    Image: image,
    Hostname: text(flags, 'hostname') || undefined,
    Domainname: text(flags, 'domainname') || undefined,
    User: text(flags, 'user') || undefined,
    AttachStdin: attach.has('stdin'),
    AttachStdout: attach.has('stdout'),
    AttachStderr: attach.has('stderr'),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && attach.has('stdin'),
    Env: env,
    Cmd: args.length > 0 ? [...args] : undefined,
    // `--entrypoint ''` is sent as [""]: it clears the image's entrypoint
    Entrypoint: entrypoint === undefined ? undefined : [entrypoint],
    WorkingDir: text(flags, 'workdir') || undefined,
    Labels: labels,
    Volumes: anonymousVolumes.length > 0 ? Object.fromEntries(anonymousVolumes.map((path) => [path, {}])) : undefined,
    StopSignal: stopSignal || undefined,
    StopTimeout: stopTimeout,
    ExposedPorts: ports.exposed,
    Healthcheck: healthcheck,
    HostConfig: {
      Binds: binds,
      ContainerIDFile: cidfile,
      LogConfig: logConfig,
      NetworkMode: networkMode,
      PortBindings: ports.bindings,
      Dns: nonEmpty(texts(flags, 'dns').map((value) => parsedFlag('dns', value, parseDnsServer))),
      DnsSearch: nonEmpty(texts(flags, 'dns-search')),
      DnsOptions: nonEmpty(texts(flags, 'dns-option')),
      ExtraHosts: nonEmpty(texts(flags, 'add-host').map((value) => parsedFlag('add-host', value, parseExtraHost))),
      PublishAllPorts: ports.publishAll,
      RestartPolicy: restartPolicy,
      AutoRemove: autoRemove,
      CapAdd: texts(flags, 'cap-add'),
      CapDrop: texts(flags, 'cap-drop'),
      GroupAdd: texts(flags, 'group-add'),
      Privileged: toggle(flags, 'privileged'),
      ReadonlyRootfs: toggle(flags, 'read-only'),
      SecurityOpt: security.securityOpt,
      Tmpfs: tmpfs,
      Runtime: runtime,
      Init: toggle(flags, 'init') || undefined,
      Memory: memory,
      NanoCpus: nanoCpus,
      PidsLimit: pidsLimit,
      Ulimits: [...ulimits.values()],
      Mounts: mounts,
      VolumesFrom: volumesFrom.length > 0 ? volumesFrom : undefined,
      Annotations: annotations,
      ...(security.unconfinedSystemPaths ? { MaskedPaths: [], ReadonlyPaths: [] } : {}),
      ...resources,
    },
    NetworkingConfig: networking,
  };
  const intent = parseCreateIntent(withoutUndefined({ ...body, HostConfig: withoutUndefined(body.HostConfig) }));
  const options: RunOptions = {
    name: name === undefined ? undefined : validateName(name),
    detach,
    pull,
    quiet: toggle(flags, 'quiet'),
    platform,
    cidfile,
    detachKeys,
    sigProxy: toggle(flags, 'sig-proxy', true),
    attach: ATTACH_STREAMS.filter((stream) => attach.has(stream)),
    warnings,
  };
  return { intent, options };
}

/** The ContainerCreate body alone, for callers that do not run anything (`create` through an API). */
export function toCreateIntent(flags: ContainerFlags, image: string, args: readonly string[], context: FlagContext = {}): CreateIntent {
  return toRunRequest(flags, image, args, context).intent;
}

// --- cgroup resources, devices and namespaces ------------------------------------------------
// The CLI's share of Docker's checks: each value parsed as pflag and docker/cli's validators do.
// What the daemon checks (memory-swap needs memory, cpuset against the host …) is in
// spec/host-resources.ts, where berth plays the daemon.

type ResourceHostConfig = Pick<
  CreateIntent['HostConfig'],
  | 'CpuShares' | 'CpuPeriod' | 'CpuQuota' | 'CpuRealtimePeriod' | 'CpuRealtimeRuntime' | 'CpusetCpus' | 'CpusetMems'
  | 'MemoryReservation' | 'MemorySwap' | 'MemorySwappiness' | 'OomKillDisable' | 'OomScoreAdj'
  | 'BlkioWeight' | 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps'
  | 'ShmSize' | 'Devices' | 'DeviceCgroupRules' | 'Sysctls'
  | 'PidMode' | 'IpcMode' | 'UTSMode' | 'UsernsMode' | 'CgroupnsMode' | 'CgroupParent' | 'Isolation'
>;

/** `--memory-swap`: a size, or -1 for unlimited swap. */
export function parseMemorySwap(value: string): number {
  return value === '-1' ? -1 : parseMemoryBytes(value);
}

/** strconv.ParseUint(text, 0, 16), as pflag's Uint16 flag reads `--blkio-weight`. */
export function parseUint16(value: string): number {
  if (!/^(\d+|0x[0-9a-f]+|0o[0-7]+|0b[01]+)$/i.test(value)) throw usageError(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  if (/^0\d/.test(value) && !/^0[0-7]+$/.test(value)) throw usageError(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  // a leading 0 is octal to Go
  const number = /^0\d/.test(value) ? Number.parseInt(value.slice(1), 8) : Number(value.toLowerCase());
  if (number > 0xffff) throw usageError(`strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  return number;
}

/** Docker's `--blkio-weight-device /dev/sda:300`. */
export function parseWeightDevice(value: string): { Path: string; Weight: number } {
  const colon = value.indexOf(':');
  const path = colon === -1 ? '' : value.slice(0, colon);
  if (path === '') throw usageError(`bad format: ${value}`);
  if (!path.startsWith('/dev/')) throw usageError(`bad format for device path: ${value}`);
  const text = value.slice(colon + 1);
  const weight = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(weight) || weight > 0xffff || (weight > 0 && (weight < 10 || weight > 1000))) throw usageError(`invalid weight for device: ${value}`);
  return { Path: path, Weight: weight };
}

/** Docker's `--device-read-bps /dev/sda:1mb` (a size) and `--device-read-iops /dev/sda:100` (a count). */
export function parseThrottleDevice(value: string, kind: 'bps' | 'iops'): ThrottleDevice {
  const colon = value.indexOf(':');
  const path = colon === -1 ? '' : value.slice(0, colon);
  if (path === '') throw usageError(`bad format: ${value}`);
  if (!path.startsWith('/dev/')) throw usageError(`bad format for device path: ${value}`);
  const text = value.slice(colon + 1);
  if (kind === 'iops') {
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw usageError(`invalid rate for device: ${value}. The correct format is <device-path>:<number>. Number must be a positive integer`);
    }
    return { Path: path, Rate: Number(text) };
  }
  try {
    return { Path: path, Rate: parseMemoryBytes(text) };
  } catch {
    throw usageError(
      `invalid rate for device: ${value}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`,
    );
  }
}

function isDeviceMode(mode: string): boolean {
  return mode !== '' && [...mode].every((char, index) => 'rwm'.includes(char) && mode.indexOf(char) === index);
}

/** Lexical path.Clean for an absolute or relative Unix path. */
function cleanPath(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !absolute) parts.push(part);
  }
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/** `--device /host[:/container][:rwm]`, docker/cli's validateLinuxPath and parseLinuxDevice. */
export function parseDeviceMapping(value: string): DeviceMapping {
  const split = value.split(':');
  if (split.length > 3 || split[0] === '') throw usageError(`bad format for path: ${value}`);
  let source = split[0];
  let target = '';
  let permissions = 'rwm';
  if (split.length === 2) {
    if (isDeviceMode(split[1])) permissions = split[1];
    else target = split[1];
  } else if (split.length === 3) {
    if (!isDeviceMode(split[2])) throw usageError(`bad mode specified: ${split[2]}`);
    target = split[1];
    permissions = split[2];
  }
  const checked = target === '' ? source : target;
  if (!checked.startsWith('/')) throw usageError(`${checked} is not an absolute path`);
  // as docker/cli: a path is cleaned unless all three parts are given
  if (split.length < 3) {
    if (target === '') source = cleanPath(source);
    else target = cleanPath(target);
  }
  return { PathOnHost: source, PathInContainer: target === '' ? source : target, CgroupPermissions: permissions };
}

const DEVICE_CGROUP_RULE = /^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/;

export function validateDeviceCgroupRule(value: string): string {
  if (!DEVICE_CGROUP_RULE.test(value)) throw usageError(`invalid device cgroup format '${value}'`);
  return value;
}

/** The System V IPC sysctls: namespaced with the IPC namespace. */
export const IPC_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced',
]);

/** docker/cli's ValidateSysctl: only sysctls that live in a namespace the container owns. */
export function validateSysctl(value: string): string {
  const equals = value.indexOf('=');
  const key = equals === -1 ? '' : value.slice(0, equals);
  if (key === '' || !(IPC_SYSCTLS.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) {
    throw usageError(`sysctl '${value}' is not allowed`);
  }
  return value;
}

/** The namespace modes, refused as docker/cli refuses them (the daemon's own words for --ipc). */
function namespaceModes(flags: ContainerFlags): Pick<ResourceHostConfig, 'PidMode' | 'IpcMode' | 'UTSMode' | 'UsernsMode' | 'CgroupnsMode' | 'Isolation'> {
  const pid = text(flags, 'pid') ?? '';
  if (!(pid === '' || pid === 'host' || /^container:.+/.test(pid))) throw usageError('--pid: invalid PID mode');
  const uts = text(flags, 'uts') ?? '';
  if (!(uts === '' || uts === 'host')) throw usageError('--uts: invalid UTS mode');
  const userns = text(flags, 'userns') ?? '';
  if (!(userns === '' || userns === 'host')) throw usageError('--userns: invalid USER mode');
  const cgroupns = text(flags, 'cgroupns') ?? '';
  if (!(cgroupns === '' || cgroupns === 'host' || cgroupns === 'private')) throw usageError('--cgroupns: invalid CGROUP mode');
  const ipc = text(flags, 'ipc') ?? '';
  if (!(['', 'none', 'private', 'host', 'shareable'].includes(ipc) || ipc.startsWith('container:'))) throw usageError(`invalid IPC mode: ${ipc}`);
  const isolation = text(flags, 'isolation') ?? '';
  if (!['', 'default'].includes(isolation.toLowerCase())) throw usageError(`invalid isolation (${isolation}): linux only supports 'default'`);
  if (uts === 'host' && text(flags, 'hostname')) throw usageError('conflicting options: hostname and the UTS mode');
  return {
    PidMode: pid || undefined,
    IpcMode: ipc || undefined,
    UTSMode: uts || undefined,
    UsernsMode: userns || undefined,
    CgroupnsMode: (cgroupns || undefined) as ResourceHostConfig['CgroupnsMode'],
    Isolation: isolation || undefined,
  };
}

/** The resource, device and namespace flags → their HostConfig fields; absent flags stay absent. */
export function resourceHostConfig(flags: ContainerFlags): ResourceHostConfig {
  const number = <T>(flag: string, parse: (value: string) => T): T | undefined => {
    const value = text(flags, flag);
    return value === undefined ? undefined : parsedFlag(flag, value, parse);
  };
  const each = <T>(flag: string, parse: (value: string) => T): T[] | undefined => {
    const values = texts(flags, flag);
    return values.length === 0 ? undefined : values.map((value) => parsedFlag(flag, value, parse));
  };
  const swappiness = number('memory-swappiness', parseGoInt);
  const sysctls = each('sysctl', validateSysctl);
  return withoutUndefined({
    CpuShares: number('cpu-shares', parseGoInt),
    CpuPeriod: number('cpu-period', parseGoInt),
    CpuQuota: number('cpu-quota', parseGoInt),
    CpuRealtimePeriod: number('cpu-rt-period', parseGoInt),
    CpuRealtimeRuntime: number('cpu-rt-runtime', parseGoInt),
    CpusetCpus: text(flags, 'cpuset-cpus') || undefined,
    CpusetMems: text(flags, 'cpuset-mems') || undefined,
    MemoryReservation: number('memory-reservation', parseMemoryBytes),
    MemorySwap: number('memory-swap', parseMemorySwap),
    // -1, pflag's default, is "not set"
    MemorySwappiness: swappiness === undefined || swappiness === -1 ? undefined : swappiness,
    OomKillDisable: toggle(flags, 'oom-kill-disable') || undefined,
    OomScoreAdj: number('oom-score-adj', parseGoInt),
    BlkioWeight: number('blkio-weight', parseUint16),
    BlkioWeightDevice: each('blkio-weight-device', parseWeightDevice),
    BlkioDeviceReadBps: each('device-read-bps', (value) => parseThrottleDevice(value, 'bps')),
    BlkioDeviceWriteBps: each('device-write-bps', (value) => parseThrottleDevice(value, 'bps')),
    BlkioDeviceReadIOps: each('device-read-iops', (value) => parseThrottleDevice(value, 'iops')),
    BlkioDeviceWriteIOps: each('device-write-iops', (value) => parseThrottleDevice(value, 'iops')),
    ShmSize: number('shm-size', parseMemoryBytes),
    // Docker's CLI checks the format only once it knows the daemon's OS: its messages come unwrapped
    Devices: texts(flags, 'device').length === 0 ? undefined : texts(flags, 'device').map(parseDeviceMapping),
    DeviceCgroupRules: each('device-cgroup-rule', validateDeviceCgroupRule),
    Sysctls: sysctls === undefined ? undefined : keyValueMap(sysctls),
    CgroupParent: text(flags, 'cgroup-parent') || undefined,
    ...namespaceModes(flags),
  });
}
