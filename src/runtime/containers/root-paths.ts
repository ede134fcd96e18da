// Paths inside a container's root seen from the host (`/proc/<pid>/root`, or a mounted
// snapshot). The kernel would resolve a container's absolute symlink against the HOST's root,
// and `..` would climb out of it: every component is therefore resolved here, one lstat at a
// time, with symlink targets and `..` taken relative to the container's root, as chroot(2)
// would take them. What the host then opens is a path without symlinks below `root`.

import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix } from 'node:path';

/** Linux gives up after 40 links in one lookup; the same bound here. */
const MAX_LINKS = 40;

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** The host path of a resolved container path (`/proc/<pid>/root/`, with the slash that follows that link). */
export function hostPath(root: string, containerPath: string): string {
  return containerPath === '/' ? `${root}/` : `${root}${containerPath}`;
}

function errno(code: string, syscall: string, path: string, description: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${description}, ${syscall} '${path}'`), { code, syscall, path });
}

/**
 * `path` (absolute in the container) with every symlink followed inside `root`, the last
 * component too. A missing component ends the resolution: the rest is appended as written, so
 * that a later lstat reports it missing.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const pending = components(path);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join('/')}`;
    let stats: Stats;
    try {
      stats = await lstat(hostPath(root, candidate));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return posix.join(candidate, ...pending);
    }
    if (!stats.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    links += 1;
    if (links > MAX_LINKS) throw errno('ELOOP', 'lstat', path, 'too many symbolic links encountered');
    const target = await readlink(hostPath(root, candidate));
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...components(target));
  }
  return `/${resolved.join('/')}`;
}

export interface RootEntry {
  /** the container path with its parent's symlinks resolved; the last component as named */
  readonly path: string;
  readonly stats: Stats;
  /** for a symlink: where it leads, resolved inside the root (Docker's PathStat.LinkTarget) */
  readonly linkTarget?: string;
}

/**
 * Docker's stat of a container path: the parent resolved, the last component not followed —
 * unless the path ends in `/` (then it names what the link leads to) or `/.`.
 */
export async function statInRoot(root: string, absolutePath: string): Promise<RootEntry> {
  const slash = absolutePath.lastIndexOf('/');
  const dir = absolutePath.slice(0, slash + 1);
  const base = absolutePath.slice(slash + 1);
  const parent = await resolveInRoot(root, dir);
  const path = base === '' || base === '.' ? parent : posix.join(parent, base);
  const stats = await lstat(hostPath(root, path));
  if (!stats.isSymbolicLink()) return { path, stats };
  return { path, stats, linkTarget: await resolveInRoot(root, path) };
}
