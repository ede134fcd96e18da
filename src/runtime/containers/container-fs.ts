// A container's root filesystem as a host directory, for `cp`. A running container's is
// `/proc/<pid>/root`: its mount namespace, so bind mounts and tmpfs inside are seen as the
// container sees them. A stopped container's is its snapshot, mounted on a private temporary
// directory for the copy and unmounted afterwards whatever happens (signals included).

import { mkdtemp, rmdir } from 'node:fs/promises';
import { rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Mount } from '../containerd/snapshots.js';
import type { ContainerRecord } from './record.js';
import { childProcess } from '../../lazy-node.js';

export interface ContainerFs {
  /** the host directory that is the container's `/` */
  readonly root: string;
  close(): Promise<void>;
}

/** Task states in which the init process exists and has the container's root. */
const LIVE_TASK = new Set(['RUNNING', 'PAUSED', 'PAUSING', 'CREATED']);

/**
 * A read-only view of the snapshot's mounts: an overlay's upper directory becomes the top lower
 * one (mounting a second overlay on the same upper and work directories is unsafe should the
 * container start meanwhile); a bind mount gets `ro`.
 */
export function readOnlyMounts(mounts: readonly Mount[]): Mount[] {
  return mounts.map((mount) => {
    if (mount.type === 'overlay') {
      const option = (key: string) => mount.options.find((candidate) => candidate.startsWith(`${key}=`))?.slice(key.length + 1);
      const upper = option('upperdir');
      const lowers = [upper, option('lowerdir')].filter((dir): dir is string => dir !== undefined && dir !== '');
      const rest = mount.options.filter((candidate) => !/^(upperdir|workdir|lowerdir)=/.test(candidate) && candidate !== 'rw');
      return { ...mount, options: [`lowerdir=${lowers.join(':')}`, ...rest, 'ro'] };
    }
    return { ...mount, options: [...mount.options.filter((candidate) => candidate !== 'rw'), 'ro'] };
  });
}

/** The `mount(8)` argv for one of containerd's mounts on `target`. */
export function mountArgs(mount: Mount, target: string): string[] {
  const options = mount.options.length > 0 ? ['-o', mount.options.join(',')] : [];
  if (mount.type === 'bind' || mount.type === 'rbind') {
    const bind = mount.options.includes('rbind') || mount.type === 'rbind' ? '--rbind' : '--bind';
    const rest = mount.options.filter((candidate) => candidate !== 'rbind' && candidate !== 'bind');
    return [bind, ...(rest.length > 0 ? ['-o', rest.join(',')] : []), mount.source, target];
  }
  return ['-t', mount.type, ...options, mount.source, target];
}

async function mountSnapshot(context: RuntimeContext, record: ContainerRecord, writable: boolean): Promise<ContainerFs> {
  const { snapshotter, snapshot_key: key } = record.container;
  if (!key) throw new BerthError('failed-precondition', `container ${record.id} has no root filesystem snapshot`);
  const { mounts } = await context.containerd.unary<{ mounts: Mount[] }>('snapshots', 'Mounts', { snapshotter, key });
  const target = await mkdtemp(join(tmpdir(), 'berth-cp-'));
  const wanted = writable ? mounts : readOnlyMounts(mounts);
  let mounted = 0;
  let removed = false;
  const unmountNow = () => {
    if (removed) return;
    removed = true;
    for (; mounted > 0; mounted -= 1) {
      try {
        childProcess().execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        childProcess().execFileSync('umount', ['-l', target], { stdio: 'ignore' });
      }
    }
    rmdirSync(target);
  };
  // A berth interrupted mid-copy (a signal, or process.exit when a reader of `cp … -` goes
  // away) must not leave the snapshot mounted behind it.
  const onSignal = (signal: NodeJS.Signals) => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', unmountNow);
  const close = async () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', unmountNow);
    if (removed) return;
    removed = true;
    for (; mounted > 0; mounted -= 1) await promisify(childProcess().execFile)('umount', [target]);
    await rmdir(target);
  };
  try {
    for (const mount of wanted) {
      await promisify(childProcess().execFile)('mount', mountArgs(mount, target));
      mounted += 1;
    }
  } catch (error) {
    await close().catch(() => undefined);
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new BerthError('internal', `mounting the root filesystem of container ${record.id}: ${stderr || (error as Error).message}`, { cause: error });
  }
  return { root: target, close };
}

/** The container's `/` on the host; read-only for a stopped container unless `writable`. */
export async function openContainerFs(context: RuntimeContext, record: ContainerRecord, options: { writable: boolean }): Promise<ContainerFs> {
  const task = record.task;
  if (task && LIVE_TASK.has(task.status) && task.pid > 0) {
    return { root: `/proc/${task.pid}/root`, close: async () => undefined };
  }
  return mountSnapshot(context, record, options.writable);
}
