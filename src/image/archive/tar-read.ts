// Reading a tar stream one entry at a time: each entry's bytes are read (or skipped) before the
// next header is parsed, so nothing but the chunk in hand is held in memory, however large the
// layers are. gzip input is recognised by its magic bytes and decompressed on the way in.
// Entry paths and link targets are checked here, once: nothing that leads out of the archive
// reaches the code that reads it.

import { once } from 'node:events';
import { posix } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { BerthError } from '../../errors.js';

export interface TarEntry {
  /** relative to the archive's root, `/`-separated, without `.`, `..` or a trailing slash */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  readonly size: number;
  /** where a symlink or hard link points, as a path in the archive */
  readonly target?: string;
  /** the entry's bytes: read them at most once, before asking for the next entry */
  readonly body: AsyncIterable<Buffer>;
}

const COMPRESSION_MAGIC: readonly { name: string; magic: readonly number[] }[] = [
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
];
const MAGIC_LENGTH = 6;

/** `source`'s bytes, gunzipped if they are gzip; other compressions are refused by name. */
export async function* decompressed(source: Readable): AsyncGenerator<Buffer> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < MAGIC_LENGTH) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const compression = COMPRESSION_MAGIC.find(({ magic }) => head.length >= magic.length && magic.every((byte, at) => head[at] === byte))?.name;
  const all = async function* () {
    if (head.length > 0) yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  };
  if (compression === undefined) {
    yield* all();
    return;
  }
  if (compression !== 'gzip') {
    throw new BerthError('invalid-argument', `${compression}-compressed input is not supported: decompress it first, or use gzip`);
  }
  const gunzip = createGunzip();
  // pipeline destroys the gunzip stream when the input fails, which ends the loop below with that error.
  pipeline(Readable.from(all()), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw new BerthError('invalid-argument', `invalid gzip data: ${(error as Error).message}`, { cause: error });
  }
}

/** The tar entries of `source` (plain or gzip), in archive order. */
export async function* tarEntries(source: Readable): AsyncGenerator<TarEntry> {
  const parser = new Parser({ strict: true, brotli: false, zstd: false });
  const ready: ReadEntry[] = [];
  let current: ReadEntry | undefined;
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const fail = (error: unknown) => {
    failure ??= asArchiveError(error);
    // An entry being read must not wait for bytes that will never come.
    current?.destroy(failure);
    notify();
  };
  parser.on('entry', (entry: ReadEntry) => {
    // An entry destroyed by fail() before anyone reads it must not throw as an unhandled 'error'.
    entry.on('error', () => undefined);
    ready.push(entry);
    notify();
  });
  parser.on('error', fail);
  parser.on('end', () => {
    ended = true;
    notify();
  });
  const stop = new AbortController();
  feed(decompressed(source), parser, stop.signal).catch((error: unknown) => {
    if (!stop.signal.aborted) fail(error);
  });

  try {
    for (;;) {
      if (failure) throw failure;
      const entry = ready.shift();
      if (entry) {
        current = entry;
        yield describe(entry, () => failure);
        await skipRest(entry);
        current = undefined;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    stop.abort();
    // Stops a source that is still being read (stdin, a file) when the caller gives up early.
    if (!ended) source.destroy();
  }
}

async function feed(chunks: AsyncIterable<Buffer>, parser: Parser, signal: AbortSignal): Promise<void> {
  for await (const chunk of chunks) {
    if (signal.aborted) return;
    if (!parser.write(chunk)) await once(parser, 'drain', { signal });
  }
  parser.end();
}

async function skipRest(entry: ReadEntry): Promise<void> {
  if (entry.emittedEnd) return;
  const ended = entry.promise();
  entry.resume();
  await ended;
}

/** node-tar's entry types; devices, FIFOs and the like are 'other'. */
const ENTRY_KINDS: Readonly<Record<string, TarEntry['kind']>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

function describe(entry: ReadEntry, failure: () => Error | undefined): TarEntry {
  const path = archivePath(entry.path, entry.path);
  const kind = ENTRY_KINDS[entry.type] ?? 'other';
  let target: string | undefined;
  if (kind === 'symlink') {
    const link = entry.linkpath ?? '';
    if (link.startsWith('/')) throw outside(entry.path, link);
    target = archivePath(posix.join(posix.dirname(path), link), entry.path, link);
  } else if (kind === 'hardlink') {
    target = archivePath(entry.linkpath ?? '', entry.path, entry.linkpath);
  }
  const body = async function* (): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of entry) yield chunk;
    } catch (error) {
      throw failure() ?? error;
    }
    const failed = failure();
    if (failed) throw failed;
  };
  return { path, kind, size: entry.size, target, body: body() };
}

/**
 * `raw` as a path inside the archive: `./a//b/` is `a/b`. Absolute paths and paths that climb
 * above the archive's root are refused, naming the entry (and link target) they came from.
 */
export function archivePath(raw: string, entryPath: string, linkTarget?: string): string {
  if (raw.startsWith('/')) throw outside(entryPath, linkTarget);
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw outside(entryPath, linkTarget);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

function outside(entryPath: string, linkTarget?: string): BerthError {
  const what = linkTarget === undefined ? `archive entry "${entryPath}"` : `archive entry "${entryPath}" (a link to "${linkTarget}")`;
  return new BerthError('invalid-argument', `refusing ${what}: it leads outside the archive`);
}

function asArchiveError(error: unknown): Error {
  if (error instanceof BerthError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // The parser reports malformed input with codes such as TAR_BAD_ARCHIVE in front of the message.
  if (typeof (error as { tarCode?: unknown })?.tarCode === 'string') {
    return new BerthError('invalid-argument', `invalid tar archive: ${message.replace(/^TAR_[A-Z_]+: /, '').replace(/^./, (first) => first.toLowerCase())}`, { cause: error });
  }
  return new BerthError('internal', `reading the archive: ${message}`, { cause: error });
}

export interface TarCheck {
  write(chunk: Buffer): Promise<void>;
  /** Resolves once the bytes written made a whole tar archive; rejects if they do not. */
  end(): Promise<void>;
}

/** Parses uncompressed tar bytes as they are written, only to refuse what is not a tar archive. */
export function tarCheck(): TarCheck {
  const parser = new Parser({ strict: true, brotli: false, zstd: false, onReadEntry: (entry) => entry.resume() });
  let failure: Error | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', (error: unknown) => {
      failure ??= asArchiveError(error);
      reject(failure);
    });
  });
  // Observed in end(); a failure before that is reported by write().
  finished.catch(() => undefined);
  return {
    async write(chunk) {
      if (failure) throw failure;
      const more = parser.write(chunk);
      if (failure) throw failure;
      if (!more) await Promise.race([once(parser, 'drain'), finished]);
    },
    async end() {
      parser.end();
      await finished;
    },
  };
}
