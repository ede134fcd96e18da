// `logs`: Docker's json-file log (or, given its LogFormat, CRI's) read back — rotated files oldest first, `--tail` from the end
// without reading the whole log, `--since`/`--until`, `-t`, `--details`, and `-f` that follows
// the file across rotation until the container has stopped and its logger has finished.

import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { LogStream } from './json-file.js';

export interface LogEntry {
  /** the raw line, `\n` included (absent on a partial entry) */
  readonly log: string;
  readonly stream: LogStream;
  /** nanoseconds since the epoch */
  readonly time: bigint;
  readonly attrs?: Readonly<Record<string, string>>;
}

export interface ReadLogOptions {
  readonly follow: boolean;
  /** entries from the end; -1 = all */
  readonly tail: number;
  /** nanoseconds since the epoch, inclusive */
  readonly since?: bigint;
  readonly until?: bigint;
  readonly timestamps: boolean;
  readonly details: boolean;
  /** how the file's lines make entries; Docker's json-file when not given */
  readonly format?: LogFormat;
}

/** A log file format: how its lines make entries. */
export interface LogFormat {
  /** a fresh reader of one file's lines in order: entries out (undefined for a line that ends none) */
  parser(): (line: string) => LogEntry | undefined;
  /** whether a line ends an entry, without parsing it fully (`--tail` counts entries) */
  endsEntry(line: string): boolean;
}

/** Docker's json-file: a line, an entry. */
export const JSON_FILE_FORMAT: LogFormat = { parser: () => parseEntry, endsEntry: () => true };

export interface LogSink {
  write(stream: LogStream, text: string): void | Promise<void>;
}

/** What a follower asks: has the container stopped and its logger written everything? */
export type LogComplete = () => Promise<boolean>;

/** Docker's `--tail`: a number, or anything else (`all`, a typo) for all, as the daemon reads it. */
export function parseTail(value: string | undefined): number {
  if (value === undefined || !/^[+-]?\d+$/.test(value.trim())) return -1;
  const count = Number(value.trim());
  return count < 0 ? -1 : count;
}

const NANOS = 1_000_000_000n;

/** RFC 3339 with up to 9 fraction digits and a zone (`Z` or ±hh:mm) → ns since the epoch. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}${match[3].toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0') || '0');
}

/** Go's RFC3339NanoFixed in UTC: always nine fraction digits (`logs -t`). */
export function formatRfc3339NanoFixed(nanos: bigint): string {
  const seconds = nanos / NANOS;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${(nanos % NANOS).toString().padStart(9, '0')}Z`;
}

// A Go duration: "300ms", "-1.5h", "2h45m" (units ns us µs ms s m h)
const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

function parseGoDuration(value: string): number | undefined {
  const match = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(value);
  if (!match) return value === '0' ? 0 : undefined;
  let seconds = 0;
  for (const part of match[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) seconds += Number(part[1]) * DURATION_UNITS[part[2]];
  return match[1] === '-' ? -seconds : seconds;
}

/**
 * Docker's `--since`/`--until` value (the CLI's GetTimestamp): a Go duration before `now` (whole
 * seconds), a Unix timestamp (`1700000000`, `1700000000.5`), or an RFC 3339 date/time, partial
 * forms included (`2024-01-02`, `2024-01-02T15:04`), in local time when no zone is given.
 */
export function parseTimeOption(value: string, now: Date, flag: 'since' | 'until'): bigint {
  const invalid = (reason: string) => new BerthError('invalid-argument', `invalid value for "${flag}": ${reason}`);
  const duration = value === '0' ? undefined : parseGoDuration(value);
  if (duration !== undefined) return BigInt(Math.floor((now.getTime() - duration * 1000) / 1000)) * NANOS;
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/i.exec(value);
  if (date) {
    const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = date;
    const local = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    const ms = zone ? Date.parse(`${local}${zone.toUpperCase()}`) : new Date(`${local}`).getTime();
    if (Number.isNaN(ms)) throw invalid(`parsing time ${JSON.stringify(value)}: out of range`);
    return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  }
  if (value.includes('-')) throw invalid(`parsing time ${JSON.stringify(value)}: cannot parse as RFC 3339`);
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!unix) throw invalid(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return BigInt(unix[1]) * NANOS + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
}

/** One line of a json-file log; a torn or foreign line gives undefined. */
export function parseEntry(line: string): LogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { log, stream, time, attrs } = value as Record<string, unknown>;
  if (typeof log !== 'string' || (stream !== 'stdout' && stream !== 'stderr') || typeof time !== 'string') return undefined;
  const nanos = parseRfc3339Nano(time);
  if (nanos === undefined) return undefined;
  return { log, stream, time: nanos, ...(attrs && typeof attrs === 'object' ? { attrs: attrs as Record<string, string> } : {}) };
}

/** What `logs` prints for an entry: `[timestamp ][attrs ]line`, as Docker's daemon builds it. */
export function formatEntry(entry: LogEntry, options: Pick<ReadLogOptions, 'timestamps' | 'details'>): string {
  let text = entry.log;
  if (options.details) {
    const attrs = Object.keys(entry.attrs ?? {})
      .sort()
      .map((key) => `${queryEscape(key)}=${queryEscape(entry.attrs![key])}`)
      .join(',');
    text = `${attrs} ${text}`;
  }
  if (options.timestamps) text = `${formatRfc3339NanoFixed(entry.time)} ${text}`;
  return text;
}

// Go's url.QueryEscape: space as '+', everything but unreserved characters percent-encoded
function queryEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** The log and its rotated files, oldest first: `<log>.N` … `<log>.1`, `<log>`. */
export async function logFiles(logPath: string): Promise<string[]> {
  const base = basename(logPath);
  let names: string[];
  try {
    names = await readdir(dirname(logPath));
  } catch {
    return [];
  }
  const rotated = names
    .map((name) => (name.startsWith(`${base}.`) ? Number(name.slice(base.length + 1)) : Number.NaN))
    .filter((index) => Number.isInteger(index) && index > 0)
    .sort((a, b) => b - a)
    .map((index) => `${logPath}.${index}`);
  return [...rotated, ...(names.includes(base) ? [logPath] : [])];
}

const BLOCK = 64 * 1024;

/** The last `count` lines of the first `end` bytes of a file, read backwards block by block. */
async function lastLines(handle: FileHandle, end: number, count: number): Promise<string[]> {
  if (count === 0) return [];
  const blocks: Buffer[] = [];
  let position = end;
  let newlines = 0;
  // one newline more than wanted marks where the wanted lines begin
  while (position > 0 && newlines <= count) {
    const size = Math.min(BLOCK, position);
    position -= size;
    const block = Buffer.allocUnsafe(size);
    await handle.read(block, 0, size, position);
    blocks.unshift(block);
    for (const byte of block) if (byte === 10) newlines++;
  }
  const lines = Buffer.concat(blocks).toString('utf8').split('\n');
  lines.pop(); // after the last newline (a line still being written is not complete)
  return lines.slice(-count);
}

/** Lines from the end of a file holding at least `count` entries' ends (fewer at the file's start). */
async function lastEntryLines(handle: FileHandle, end: number, count: number, format: LogFormat): Promise<string[]> {
  for (let want = count; ; ) {
    const lines = await lastLines(handle, end, want);
    const ends = lines.filter((line) => format.endsEntry(line)).length;
    if (ends >= count || lines.length < want) return lines;
    want = want * 2 + (count - ends);
  }
}

/**
 * Prints a container's log. With `follow`, keeps printing what is appended (across rotation)
 * until `complete()` says the container has stopped and its logger is done, then prints the rest.
 */
export async function readLog(logPath: string, options: ReadLogOptions, sink: LogSink, complete: LogComplete, signal?: AbortSignal): Promise<void> {
  const format = options.format ?? JSON_FILE_FORMAT;
  // one reader for the whole log: an entry may go on from what was read into what is followed
  const parse = format.parser();
  const emit = async (line: string): Promise<boolean> => {
    if (line === '') return true;
    const entry = parse(line);
    return entry ? emitEntry(entry) : true;
  };
  const emitEntry = async (entry: LogEntry): Promise<boolean> => {
    if (options.since !== undefined && entry.time < options.since) return true;
    if (options.until !== undefined && entry.time > options.until) return false;
    await sink.write(entry.stream, formatEntry(entry, options));
    return true;
  };

  const files = await logFiles(logPath);
  // the current file is opened first, so what is read now and what is followed later meet exactly
  let current: FileHandle | undefined = files.at(-1) === logPath ? await open(logPath, 'r') : undefined;
  let offset = current ? (await current.stat()).size : 0;
  try {
    let lines: string[] = [];
    if (options.tail >= 0) {
      // newest file first, until the lines hold one entry's end more than wanted: the wanted
      // entries are then whole (a CRI log's entry can span lines)
      let ends = 0;
      for (let index = files.length - 1; index >= 0 && ends <= options.tail; index--) {
        const isCurrent = files[index] === logPath;
        const handle = isCurrent ? current! : await open(files[index], 'r').catch(() => undefined);
        if (!handle) continue;
        try {
          const end = isCurrent ? offset : (await handle.stat()).size;
          const fileLines = await lastEntryLines(handle, end, options.tail + 1 - ends, format);
          ends += fileLines.filter((line) => format.endsEntry(line)).length;
          lines = [...fileLines, ...lines];
        } finally {
          if (!isCurrent) await handle.close();
        }
      }
      const entries = lines.map((line) => (line === '' ? undefined : parse(line))).filter((entry) => entry !== undefined);
      for (const entry of entries.slice(entries.length - Math.min(options.tail, entries.length))) if (!(await emitEntry(entry))) return;
    } else {
      for (const file of files) {
        const isCurrent = file === logPath;
        const handle = isCurrent ? current! : await open(file, 'r').catch(() => undefined);
        if (!handle) continue;
        try {
          const end = isCurrent ? offset : (await handle.stat()).size;
          let rest = '';
          for (let position = 0; position < end; ) {
            const size = Math.min(BLOCK, end - position);
            const block = Buffer.allocUnsafe(size);
            const { bytesRead } = await handle.read(block, 0, size, position);
            if (bytesRead === 0) break;
            position += bytesRead;
            const parts = (rest + block.subarray(0, bytesRead).toString('utf8')).split('\n');
            rest = parts.pop() ?? '';
            for (const line of parts) if (!(await emit(line))) return;
          }
        } finally {
          if (!isCurrent) await handle.close();
        }
      }
    }
    if (!options.follow) return;
    await follow();
  } finally {
    await current?.close();
  }

  async function follow(): Promise<void> {
    let rest = '';
    const drain = async (): Promise<boolean> => {
      if (!current) return true;
      for (;;) {
        const { size } = await current.stat();
        if (size < offset) offset = 0; // truncated (max-file 1)
        if (size === offset) return true;
        const block = Buffer.allocUnsafe(Math.min(BLOCK, size - offset));
        const { bytesRead } = await current.read(block, 0, block.length, offset);
        if (bytesRead === 0) return true;
        offset += bytesRead;
        const parts = (rest + block.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (!(await emit(line))) return false;
      }
    };
    /** the path names another file than ours: rotated (or created since we looked) */
    const replaced = async (): Promise<boolean> => {
      const now = await stat(logPath).catch(() => undefined);
      if (!now) return false;
      if (!current) return true;
      return now.ino !== (await current.stat()).ino;
    };
    let watcher: FSWatcher | undefined;
    let wake: () => void = () => undefined;
    try {
      watcher = watch(dirname(logPath), () => wake());
      watcher.on('error', () => undefined);
    } catch {
      // polled only
    }
    try {
      for (;;) {
        if (signal?.aborted) return;
        const finished = await complete();
        if (!(await drain())) return;
        if (await replaced()) {
          await current?.close();
          current = await open(logPath, 'r');
          offset = 0;
          rest = '';
          continue;
        }
        if (finished) return;
        if (options.until !== undefined && BigInt(Date.now()) * 1_000_000n > options.until) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          signal?.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      watcher?.close();
    }
  }
}

/** The logger writes its pid file once ready and removes it when the log is complete. */
export function loggerRunning(pidFile: string): boolean {
  if (!existsSync(pidFile)) return false;
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function loggerPidFile(logPath: string): string {
  return join(dirname(logPath), 'logger.pid');
}
