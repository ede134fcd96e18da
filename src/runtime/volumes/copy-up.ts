// Docker's copy-up: a volume that is empty when a container first mounts it gets the image's
// files at that path (contents, ownership, modes, symlinks), unless `nocopy`. The image's
// layers are mounted read-only (an overlay of the layer directories the snapshot's mounts
// name), so the container's own snapshot is never touched.

import { chmod, chown, lstat, mkdir, readdir, readlink, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';
import { layerDirectories, type RootfsMount } from '../containers/rootfs-files.js';
import type { CopyUp } from './container-volumes.js';
import { childProcess } from '../../lazy-node.js';

const run = (command: string, args: readonly string[]) => promisify(childProcess().execFile)(command, args);
const MAX_SYMLINKS = 40;

/** `path` inside the tree at `root`, symlinks followed as if `root` were `/`; undefined if missing. */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter((part) => part !== '');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    let stats;
    try {
      stats = await lstat(candidate);
    } catch {
      return undefined;
    }
    if (stats.isSymbolicLink()) {
      if ((hops += 1) > MAX_SYMLINKS) return undefined;
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter((piece) => piece !== ''));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

async function isEmptyDirectory(path: string): Promise<boolean> {
  return (await readdir(path).catch(() => ['?'])).length === 0;
}

/** Mounts the image's layers read-only at `target` and returns the root to read; `release` undoes it. */
async function mountImage(mounts: readonly RootfsMount[], target: string): Promise<{ root: string; release: () => Promise<void> }> {
  const layers = layerDirectories(mounts);
  if (layers.length === 1) return { root: layers[0], release: async () => undefined };
  await mkdir(target, { recursive: true, mode: 0o700 });
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${layers.join(':')}`, target]);
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    throw new BerthError('internal', `copying the image's files into a volume: mounting the image: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
  }
  return {
    root: target,
    release: async () => {
      await run('umount', [target]).catch(() => run('umount', ['-l', target]));
      await rm(target, { recursive: true, force: true });
    },
  };
}

/**
 * Fills each empty volume with what the image has at its destination. `scratch` is a
 * directory berth owns where the image can be mounted for the copy.
 */
export async function copyImageContent(mounts: readonly RootfsMount[], copyUps: readonly CopyUp[], scratch: string): Promise<void> {
  const wanted = [];
  for (const copyUp of copyUps) {
    if (await isEmptyDirectory(copyUp.volume.Mountpoint)) wanted.push(copyUp);
  }
  if (wanted.length === 0 || mounts.length === 0) return;
  const image = await mountImage(mounts, scratch);
  try {
    const done = new Set<string>();
    for (const { volume, destination } of wanted) {
      if (done.has(volume.Name)) continue;
      const source = await resolveInRoot(image.root, posix.normalize(destination));
      if (source === undefined) continue;
      const stats = await stat(source);
      if (!stats.isDirectory()) continue;
      done.add(volume.Name);
      try {
        await run('cp', ['-a', '--', `${source}/.`, `${volume.Mountpoint}/`]);
      } catch (error) {
        throw new BerthError('internal', `copying the image's ${destination} into volume ${volume.Name}: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
      }
      // the volume's root takes the owner and mode of the image's directory, as Docker's copy-up
      await chown(volume.Mountpoint, stats.uid, stats.gid);
      await chmod(volume.Mountpoint, stats.mode & 0o7777);
    }
  } finally {
    await image.release();
  }
}
