// The tar side of `cp`: packing one file or directory under the name Docker gives it, and
// extracting a stream into a directory with the rules of Docker's untar. Streams both ways:
// an archive is never held whole. (tar's own Unpack is not used: it rewrites absolute symlink
// targets, which a container's files legitimately have, and checks host paths for them.)

import {
  chmodSync,
  closeSync,
  constants,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { Pack, Parser, type ReadEntry, type WriteEntry } from 'tar';
import { BerthError } from '../../errors.js';
import { childProcess } from '../../lazy-node.js';

/**
 * A tar stream of `path`, its top entry named `name` (`.` for a directory's content: `./`,
 * `./file`). uid/gid are the files' own; owner names are left out, as Docker leaves them.
 */
export function packPath(path: string, isDir: boolean, name: string): Pack {
  const unnamed = (entry: WriteEntry) => {
    entry.myuser = '';
  };
  if (isDir) {
    const pack = new Pack({ cwd: path, prefix: name === '.' ? undefined : name, onWriteEntry: unnamed });
    // `/proc/<pid>/root` itself is a (magic) symlink to tar: its entries are added one by one
    if (lstatSync(resolve(path)).isSymbolicLink()) for (const child of readdirSync(path)) pack.add(child);
    else pack.add('.');
    pack.end();
    return pack;
  }
  const pack = new Pack({
    cwd: dirname(path),
    onWriteEntry: (entry) => {
      unnamed(entry);
      entry.path = name;
    },
  });
  pack.add(basename(path));
  pack.end();
  return pack;
}

/** Counts the bytes that pass, for Docker's "Successfully copied 2.05kB". */
export function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
}

/** The archive's uid/gid, whoever runs berth, or one given owner (the container's user). */
export type Ownership = 'archive' | 'caller' | { readonly uid: number; readonly gid: number };

export interface ExtractOptions {
  /** whose files these become */
  readonly owner: Ownership;
  /** how a host path is named in messages (the container's view for a container) */
  readonly describe: (hostPath: string) => string;
}

const DIRECTORY = new Set(['Directory', 'GNUDumpDir']);
const FILE = new Set(['File', 'OldFile', 'ContiguousFile']);
const DEVICE: Readonly<Record<string, string>> = { CharacterDevice: 'c', BlockDevice: 'b', FIFO: 'p' };
const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Go's `op path: reason` for a failed system call, as Docker's errors read. */
export function systemError(op: string, path: string, error: unknown): BerthError {
  const reason = error instanceof Error ? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(error);
  const category = (error as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'not-found' : 'internal';
  return new BerthError(category, `${op} ${path}: ${reason}`, { cause: error });
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Extracts the tar stream `input` (plain or compressed) into the existing directory `cwd`, one
 * entry at a time, as Docker's untar does: missing parents made 0755, an existing non-directory
 * replaced, an existing directory never replaced by a non-directory nor the reverse, links
 * whose target leaves `cwd` refused, directory times set last. Nothing is written through a
 * symlink: every directory on the way is checked to be a real one first.
 */
export async function extractInto(input: Readable, cwd: string, options: ExtractOptions): Promise<void> {
  const { describe } = options;
  const inside = cwd.endsWith('/') ? cwd : `${cwd}/`;
  const directoryTimes: Array<[string, Date, Date]> = [];

  /** The directories from `cwd` down to `relativeDir`, made where missing, refused where not real. */
  const ensureDirectories = (relativeDir: string) => {
    let current = cwd;
    for (const part of relativeDir.split('/').filter((piece) => piece !== '' && piece !== '.')) {
      current = join(current, part);
      const found = lstatOrUndefined(current);
      if (!found) {
        mkdirSync(current, 0o755);
        if (options.owner !== 'caller') lchownSync(current, options.owner === 'archive' ? 0 : options.owner.uid, options.owner === 'archive' ? 0 : options.owner.gid);
      } else if (found.isSymbolicLink()) {
        throw new BerthError('failed-precondition', `cannot extract through the symbolic link ${describe(current)}`);
      } else if (!found.isDirectory()) {
        throw systemError('mkdir', describe(current), Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR' }));
      }
    }
  };

  const settle = (entry: ReadEntry, target: string, isSymlink: boolean) => {
    if (options.owner === 'archive') lchownSync(target, entry.uid ?? 0, entry.gid ?? 0);
    else if (options.owner !== 'caller') lchownSync(target, options.owner.uid, options.owner.gid);
    if (!isSymlink && entry.mode !== undefined) chmodSync(target, entry.mode & 0o7777);
    const mtime = entry.mtime ?? new Date();
    const atime = entry.atime ?? mtime;
    if (DIRECTORY.has(entry.type)) directoryTimes.push([target, atime, mtime]);
    else lutimesSync(target, atime, mtime);
  };

  const handle = (entry: ReadEntry, done: () => void) => {
    const relativePath = posix.normalize(entry.path.replace(/^\/+/, '')).replace(/\/$/, '') || '.';
    if (relativePath === '..' || relativePath.startsWith('../')) {
      throw new BerthError('invalid-argument', `${JSON.stringify(entry.path)} is outside of ${JSON.stringify(describe(cwd))}`);
    }
    const target = relativePath === '.' ? cwd : join(cwd, relativePath);
    if (target !== cwd) ensureDirectories(posix.dirname(relativePath));
    const existing = target === cwd ? lstatSync(cwd) : lstatOrUndefined(target);
    const isDir = DIRECTORY.has(entry.type);
    if (existing?.isDirectory() && !isDir) {
      throw new BerthError('failed-precondition', `cannot overwrite directory ${JSON.stringify(describe(target))} with non-directory ${JSON.stringify(describe(cwd))}`);
    }
    if (existing && !existing.isDirectory() && isDir) {
      throw new BerthError('failed-precondition', `cannot overwrite non-directory ${JSON.stringify(describe(target))} with directory ${JSON.stringify(describe(cwd))}`);
    }
    if (existing && !existing.isDirectory()) unlinkSync(target);

    if (isDir) {
      if (!existing) mkdirSync(target, 0o755);
      settle(entry, target, false);
    } else if (FILE.has(entry.type)) {
      const fd = openSync(target, WRITE_NEW, 0o600);
      entry.on('data', (chunk: Buffer) => {
        for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      });
      entry.on('end', () => {
        closeSync(fd);
        settle(entry, target, false);
        done();
      });
      return;
    } else if (entry.type === 'SymbolicLink') {
      const linkpath = entry.linkpath ?? '';
      // as Docker: an absolute target is the container's business; a relative one must stay inside
      if (!linkpath.startsWith('/') && !`${posix.join(posix.dirname(target), linkpath)}/`.startsWith(inside)) {
        throw new BerthError('invalid-argument', `invalid symlink ${JSON.stringify(describe(target))} -> ${JSON.stringify(linkpath)}`);
      }
      symlinkSync(linkpath, target);
      settle(entry, target, true);
    } else if (entry.type === 'Link') {
      const linked = posix.normalize(entry.linkpath ?? '').replace(/^\/+/, '');
      const source = join(cwd, linked);
      const found = linked.startsWith('../') ? undefined : lstatBelow(cwd, linked);
      if (!found) throw new BerthError('invalid-argument', `invalid hardlink ${JSON.stringify(describe(target))} -> ${JSON.stringify(entry.linkpath)}`);
      linkSync(source, target);
    } else if (DEVICE[entry.type]) {
      const { devmaj, devmin } = entry.header;
      childProcess().execFileSync('mknod', DEVICE[entry.type] === 'p' ? [target, 'p'] : [target, DEVICE[entry.type], String(devmaj), String(devmin)]);
      settle(entry, target, false);
    }
    entry.resume();
    done();
  };

  await new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    const parser = new Parser({ strict: true });
    const fail = (error: unknown) => {
      if (failure) return;
      failure = error instanceof BerthError ? error : systemError('extracting', describe(cwd), error);
      input.unpipe();
      input.resume();
      reject(failure);
    };
    parser.on('entry', (entry: ReadEntry) => {
      if (failure) {
        entry.resume();
        return;
      }
      try {
        handle(entry, () => undefined);
      } catch (error) {
        entry.resume();
        fail(error);
      }
    });
    parser.on('error', fail);
    input.on('error', fail);
    parser.on('end', () => {
      if (failure) return;
      try {
        // a directory's mtime changes with every file written into it: set last, deepest first
        for (const [path, atime, mtime] of directoryTimes.reverse()) utimesSync(path, atime, mtime);
        resolve();
      } catch (error) {
        fail(error);
      }
    });
    input.pipe(parser as unknown as Writable);
  });
}

/** lstat of `cwd/relativePath` only when every directory on the way is a real one. */
function lstatBelow(cwd: string, relativePath: string): Stats | undefined {
  const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
  let current = cwd;
  for (let at = 0; at < parts.length; at += 1) {
    current = join(current, parts[at]);
    const stats = lstatOrUndefined(current);
    if (!stats) return undefined;
    if (at === parts.length - 1) return stats;
    if (!stats.isDirectory()) return undefined;
  }
  return undefined;
}
