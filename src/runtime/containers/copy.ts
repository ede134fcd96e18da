// `cp`: files between a container (running or not) and the host, or a tar stream on
// stdin/stdout, with docker cp's path rules (copy-paths.ts). Docker splits the work between
// its CLI (local paths, archive renaming) and its daemon (container paths); berth does both
// in one process, and answers with the message each side of Docker would have given.

import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { byteCounter, extractInto, packPath, systemError, type Ownership } from './copy-archive.js';
import {
  absoluteContainerPath,
  absoluteLocalPath,
  planCopy,
  preserveTrailingDotOrSeparator,
  rebaseAfterSymlink,
  sourceEntryName,
  splitPathDirEntry,
  type CopyDestination,
  type CopySource,
} from './copy-paths.js';
import { openContainerFs, type ContainerFs } from './container-fs.js';
import { findContainer } from './find.js';
import { storedSpec } from './inspect.js';
import type { ContainerRecord } from './record.js';
import { hostPath, resolveInRoot, statInRoot, type RootEntry } from './root-paths.js';

export interface CopyOptions {
  /** the container as the user named it (it appears in messages so) */
  readonly container: string;
  readonly source: string;
  readonly destination: string;
  readonly followLink: boolean;
  /**
   * `-a`. What Docker 28 does, not what its documentation said (docker/cli#6870): into a
   * container, files keep their uid/gid without it and become the container user's with it;
   * out of one, files are the caller's either way (a `-` stream keeps the container's).
   */
  readonly archive: boolean;
  /** relative local paths are taken from here */
  readonly cwd: string;
  /** `-` reads the archive from here */
  readonly stdin: Readable;
  /** `-` writes the archive here */
  readonly stdout: Writable;
  /** called with the archive bytes copied so far */
  readonly onBytes?: (total: number) => void;
}

/** What Docker's daemon answers comes to its CLI's user prefixed so. */
function daemonError(category: BerthError['category'], message: string): BerthError {
  return new BerthError(category, `Error response from daemon: ${message}`);
}

function notFoundIn(path: string, container: string): BerthError {
  return daemonError('not-found', `Could not find the file ${path} in container ${container}`);
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException)?.code;


async function withContainerFs<T>(context: RuntimeContext, ref: string, writable: boolean, work: (fs: ContainerFs, record: ContainerRecord) => Promise<T>): Promise<T> {
  const record = await findContainer(context, ref);
  const fs = await openContainerFs(context, record, { writable });
  try {
    return await work(fs, record);
  } finally {
    await fs.close();
  }
}

/** The user the container's process runs as, already resolved into its spec at create. */
function containerUser(record: ContainerRecord): { uid: number; gid: number } {
  const user = storedSpec(record)?.process.user;
  return { uid: user?.uid ?? 0, gid: user?.gid ?? 0 };
}

/** Docker's stat of a container path, `undefined` when there is nothing there. */
async function statContainerPath(root: string, path: string): Promise<RootEntry | undefined> {
  try {
    return await statInRoot(root, absoluteContainerPath(path));
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** docker's ValidateOutputPath: the parent must exist; an existing path must be a file or directory. */
async function validateOutputPath(path: string): Promise<void> {
  const parent = posix.dirname(posix.normalize(path));
  if (parent !== '.' && (await stat(parent).catch((error: unknown) => (code(error) === 'ENOENT' ? undefined : true))) === undefined) {
    throw new BerthError('not-found', `invalid output path: directory ${JSON.stringify(parent)} does not exist`);
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing && !existing.isDirectory() && !existing.isFile()) {
    throw new BerthError('invalid-argument', `invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: got ${existing.isCharacterDevice() || existing.isBlockDevice() ? 'a device' : 'an irregular file'}`);
  }
}

/** docker's CopyInfoDestinationPath for a local destination: symlinks followed, the parent must exist. */
async function localDestination(path: string): Promise<CopyDestination> {
  let current = path;
  for (let hops = 0; ; hops += 1) {
    let stats;
    try {
      stats = await lstat(current);
    } catch (error) {
      if (code(error) !== 'ENOENT') throw systemError('lstat', current, error);
      const { dir } = splitPathDirEntry(current);
      const parent = await stat(dir).catch((failure: unknown) => {
        throw systemError('stat', dir, failure);
      });
      if (!parent.isDirectory()) throw new BerthError('invalid-argument', 'not a directory');
      return { path: current, exists: false, isDir: false };
    }
    if (!stats.isSymbolicLink()) return { path: current, exists: true, isDir: stats.isDirectory() };
    if (hops >= 10) throw new BerthError('invalid-argument', `too many symlinks in ${path}`);
    const target = await readlink(current);
    current = target.startsWith('/') ? target : posix.join(splitPathDirEntry(current).dir, target);
  }
}

/** docker's CopyInfoSourcePath for a local source: the parent's symlinks resolved, the last one only with -L. */
async function localSource(path: string, followLink: boolean): Promise<CopySource> {
  let resolved: string;
  let rebaseName: string | undefined;
  if (followLink) {
    const real = await realpath(path).catch((error: unknown) => {
      throw systemError('lstat', path, error);
    });
    ({ path: resolved, rebaseName } = rebaseAfterSymlink(path, real));
  } else {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash + 1);
    const base = path.slice(slash + 1);
    const realDir = await realpath(dir).catch((error: unknown) => {
      throw systemError('lstat', dir, error);
    });
    resolved = `${realDir === '/' ? '' : realDir}/${base}`;
    if (path.endsWith('/') && posix.basename(path) !== posix.basename(realDir)) rebaseName = posix.basename(path);
  }
  const stats = await lstat(resolved).catch((error: unknown) => {
    throw systemError('lstat', resolved, error);
  });
  return { path: resolved, isDir: stats.isDirectory(), rebaseName };
}

/** Pipes `archive` to `out`, counting; resolves once everything is written. */
function streamTo(archive: Readable, out: Writable, onBytes?: (total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const counted = onBytes ? archive.pipe(byteCounter(onBytes)) : archive;
    archive.on('error', reject);
    counted.on('error', reject);
    out.on('error', reject);
    counted.on('end', resolve);
    counted.pipe(out, { end: out !== process.stdout });
  });
}

/** `cp CONTAINER:SRC DEST|-`; returns where the files went, as Docker's summary names it (none for `-`). */
export async function copyFromContainer(context: RuntimeContext, options: CopyOptions): Promise<string | undefined> {
  const toStdout = options.destination === '-';
  const destination = toStdout ? '-' : absoluteLocalPath(options.destination, options.cwd);
  if (!toStdout) await validateOutputPath(destination);
  return withContainerFs(context, options.container, false, async ({ root }) => {
    let sourcePath = options.source;
    let rebaseName: string | undefined;
    if (options.followLink) {
      const linked = await statContainerPath(root, sourcePath);
      if (linked?.linkTarget !== undefined) {
        ({ path: sourcePath, rebaseName } = rebaseAfterSymlink(sourcePath, linked.linkTarget));
      }
    }
    const absolute = absoluteContainerPath(sourcePath);
    let entry: RootEntry;
    try {
      entry = await statInRoot(root, absolute);
    } catch (error) {
      if (code(error) === 'ENOENT') throw notFoundIn(sourcePath, options.container);
      throw daemonError('internal', systemError('lstat', absolute, error).message);
    }
    const isDir = entry.stats.isDirectory();
    const source: CopySource = { path: absolute, isDir };
    const packed = (name: string) => packPath(hostPath(root, entry.path), isDir, name) as unknown as Readable;

    // As docker does, the stream is the daemon's archive: named after what was read, even via -L.
    if (toStdout) {
      await streamTo(packed(sourceEntryName(source)), options.stdout, options.onBytes);
      return undefined;
    }

    const target = await localDestination(destination);
    const plan = planCopy({ ...source, rebaseName }, target);
    const archive = packed(plan.entryName);
    const counted = options.onBytes ? archive.pipe(byteCounter(options.onBytes)) : archive;
    archive.on('error', (error: Error) => counted.destroy(error));
    await extractInto(counted, plan.extractDir, { owner: 'caller', describe: (path) => path });
    return destination;
  });
}

/** `cp SRC|- CONTAINER:DEST`; returns `CONTAINER:PATH` as Docker's summary names the destination. */
export async function copyToContainer(context: RuntimeContext, options: CopyOptions): Promise<string> {
  const fromStdin = options.source === '-';
  const source = fromStdin ? undefined : absoluteLocalPath(options.source, options.cwd);
  return withContainerFs(context, options.container, true, async ({ root }, record) => {
    let destination: CopyDestination = { path: options.destination, exists: false, isDir: false };
    let found = await statContainerPath(root, options.destination);
    if (found?.linkTarget !== undefined) {
      destination = { ...destination, path: found.linkTarget };
      found = await statContainerPath(root, found.linkTarget);
    }
    if (found) {
      const { stats } = found;
      if (stats.isCharacterDevice() || stats.isBlockDevice() || stats.isFIFO() || stats.isSocket()) {
        const kind = stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'an irregular file';
        throw new BerthError('invalid-argument', `destination "${options.container}:${options.destination}" must be a directory or a regular file: got ${kind}`);
      }
      destination = { ...destination, exists: true, isDir: stats.isDirectory() };
    }

    let input: Readable;
    let extractDir: string;
    if (source === undefined) {
      if (!destination.isDir) throw new BerthError('invalid-argument', `destination "${options.container}:${options.destination}" must be a directory`);
      input = options.stdin;
      extractDir = destination.path;
    } else {
      const local = await localSource(source, options.followLink);
      const plan = planCopy(local, destination);
      input = packPath(local.path.replace(/\/\.?$/, '') || '/', local.isDir, plan.entryName) as unknown as Readable;
      extractDir = plan.extractDir;
    }

    // the daemon's half: the extraction point, every symlink followed inside the container
    const point = preserveTrailingDotOrSeparator(await resolveInRoot(root, posix.join('/', extractDir)), extractDir);
    const pointStats = await lstat(hostPath(root, posix.normalize(point))).catch((error: unknown) => {
      if (code(error) === 'ENOENT') throw notFoundIn(extractDir, options.container);
      throw daemonError('internal', systemError('lstat', point, error).message);
    });
    if (!pointStats.isDirectory()) throw daemonError('invalid-argument', 'extraction point is not a directory');

    const counted = options.onBytes ? input.pipe(byteCounter(options.onBytes)) : input;
    input.on('error', (error: Error) => counted.destroy(error));
    const inside = hostPath(root, posix.normalize(point).replace(/\/$/, '') || '/');
    const owner: Ownership = options.archive ? containerUser(record) : 'archive';
    try {
      await extractInto(counted, inside, { owner, describe: (path) => containerView(root, path) });
    } catch (error) {
      if (error instanceof BerthError && !error.message.startsWith('Error response from daemon: ')) throw daemonError(error.category, error.message);
      throw error;
    }
    return `${options.container}:${destination.path}`;
  });
}

/** A host path below the container's root as the container names it. */
function containerView(root: string, path: string): string {
  return path === root ? '/' : path.startsWith(`${root}/`) ? path.slice(root.length) : path;
}
