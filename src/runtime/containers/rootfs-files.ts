// Reading a file from a container's root filesystem before it runs, without mounting it:
// containerd's Prepare returns the mounts that would make the rootfs, and for overlay the
// layers' directories are plain directories on the host. The top-most layer holding the path
// has the file; an overlay whiteout (a 0/0 character device) there means it was deleted.

import { lstat, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** A mount as containerd's snapshotters return it. */
export interface RootfsMount {
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

const MAX_SYMLINKS = 16;

/** The layer directories of a rootfs, top-most first. */
export function layerDirectories(mounts: readonly RootfsMount[]): string[] {
  const directories: string[] = [];
  for (const mount of mounts) {
    if (mount.type === 'bind' || mount.type === 'rbind') {
      directories.push(mount.source);
    } else if (mount.type === 'overlay') {
      const option = (key: string): string | undefined =>
        mount.options.find((candidate) => candidate.startsWith(`${key}=`))?.slice(key.length + 1);
      const upper = option('upperdir');
      if (upper) directories.push(upper);
      // lowerdir lists the layers from the top down
      directories.push(...(option('lowerdir')?.split(':').filter((dir) => dir !== '') ?? []));
    } else {
      throw new Error(`cannot read a rootfs from a ${JSON.stringify(mount.type)} mount`);
    }
  }
  return directories;
}

type Entry = { kind: 'file' } | { kind: 'symlink'; target: string } | { kind: 'whiteout' } | { kind: 'other' } | undefined;

async function entryAt(path: string): Promise<Entry> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  if (stats.isCharacterDevice() && stats.rdev === 0) return { kind: 'whiteout' };
  if (stats.isFile()) return { kind: 'file' };
  if (stats.isSymbolicLink()) return { kind: 'symlink', target: await readlink(path) };
  return { kind: 'other' };
}

/** Whether an upper layer deleted `path` or one of its parent directories. */
async function deletedIn(directory: string, path: string): Promise<boolean> {
  const parts = path.split('/').filter((part) => part !== '');
  for (let count = 1; count <= parts.length; count += 1) {
    const entry = await entryAt(join(directory, ...parts.slice(0, count)));
    if (entry?.kind === 'whiteout') return true;
  }
  return false;
}

/**
 * The text of `path` (absolute, inside the container) in the rootfs the mounts describe, or
 * undefined when no layer has it as a regular file. Symlinks are followed within the rootfs.
 */
export async function readRootfsFile(mounts: readonly RootfsMount[], path: string): Promise<string | undefined> {
  const layers = layerDirectories(mounts);
  let wanted = posix.normalize(path);
  for (let hops = 0; hops <= MAX_SYMLINKS; hops += 1) {
    let next: string | undefined;
    for (const layer of layers) {
      if (await deletedIn(layer, wanted)) return undefined;
      const entry = await entryAt(join(layer, wanted));
      if (entry === undefined) continue;
      if (entry.kind === 'file') return readFile(join(layer, wanted), 'utf8');
      if (entry.kind === 'symlink') next = posix.resolve(posix.dirname(wanted), entry.target);
      break;
    }
    if (next === undefined) return undefined;
    wanted = next;
  }
  return undefined;
}
