// `ps -s` and `inspect -s`: what a container's writable layer holds, and its whole root
// filesystem (the layer plus every snapshot below it). That is a Snapshots.Usage call per
// container and per layer, so only the commands that were asked for sizes come here.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { ContainerSize } from './inspect.js';
import type { ContainerRecord } from './record.js';

interface SnapshotInfo {
  name: string;
  parent: string;
}

export async function containerSizes(context: RuntimeContext, records: readonly ContainerRecord[]): Promise<Map<string, ContainerSize>> {
  const { containerd } = context;
  // Image layers are shared by many containers: each is measured once per snapshotter.
  const chainSizes = new Map<string, Promise<number>>();

  const usage = async (snapshotter: string, key: string): Promise<number> => {
    const { size } = await containerd.unary<{ size: string }>('snapshots', 'Usage', { snapshotter, key });
    return Number(size);
  };
  const parentOf = async (snapshotter: string, key: string): Promise<string> => {
    const { info } = await containerd.unary<{ info: SnapshotInfo }>('snapshots', 'Stat', { snapshotter, key });
    return info.parent;
  };
  // the snapshot `key` and everything below it
  const chainSize = (snapshotter: string, key: string): Promise<number> => {
    const cacheKey = `${snapshotter}\u0000${key}`;
    let known = chainSizes.get(cacheKey);
    if (!known) {
      known = (async () => {
        const [own, parent] = await Promise.all([usage(snapshotter, key), parentOf(snapshotter, key)]);
        return own + (parent ? await chainSize(snapshotter, parent) : 0);
      })();
      chainSizes.set(cacheKey, known);
    }
    return known;
  };

  const sizes = new Map<string, ContainerSize>();
  await Promise.all(
    records.map(async (record) => {
      const { snapshotter, snapshot_key: key } = record.container;
      if (!key) {
        sizes.set(record.id, { rw: 0, rootFs: 0 });
        return;
      }
      try {
        const [rw, parent] = await Promise.all([usage(snapshotter, key), parentOf(snapshotter, key)]);
        sizes.set(record.id, { rw, rootFs: rw + (parent ? await chainSize(snapshotter, parent) : 0) });
      } catch (error) {
        // removed meanwhile (`rm` racing with `ps -s`): nothing to measure
        if (error instanceof BerthError && error.category === 'not-found') sizes.set(record.id, { rw: 0, rootFs: 0 });
        else throw error;
      }
    }),
  );
  return sizes;
}
