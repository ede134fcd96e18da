// What changed in a container's root filesystem, as containerd's Diff service computes it: a tar
// layer in the content store between two sets of mounts. Any snapshotter's mounts work, and
// the differ mounts a running container's rootfs read-only itself, so nothing here mounts.

import { randomBytes } from 'node:crypto';
import type { ContainerdClient } from './client.js';
import type { Mount } from './snapshots.js';
import type { Descriptor } from './types.js';

/** A container's writable snapshot and the mounts of the image below it. */
export interface SnapshotPair {
  readonly snapshotter: string;
  /** the container's snapshot */
  readonly key: string;
}

/** The diff of `right` over `left` (`[]`: everything in `right`), written as a blob of `mediaType` under `lease`. */
export async function diffMounts(
  client: ContainerdClient,
  options: { left: readonly Mount[]; right: readonly Mount[]; mediaType: string; lease: string; labels?: Readonly<Record<string, string>> },
): Promise<Descriptor> {
  const ref = `berth-diff-${Date.now()}-${randomBytes(3).toString('base64url')}`;
  const { diff } = await client.unary<{ diff: Descriptor }>(
    'diff',
    'Diff',
    { left: options.left, right: options.right, media_type: options.mediaType, ref, labels: { ...(options.labels ?? {}) } },
    // the differ walks the whole root filesystem
    { lease: options.lease, timeoutMs: 30 * 60_000 },
  );
  return diff;
}

export async function snapshotMounts(client: ContainerdClient, pair: SnapshotPair): Promise<Mount[]> {
  const { mounts } = await client.unary<{ mounts: Mount[] }>('snapshots', 'Mounts', { snapshotter: pair.snapshotter, key: pair.key });
  return mounts;
}

/** The mounts of the container's snapshot and, read-only, of its parent ([] when it has none). */
export async function snapshotAndParentMounts(client: ContainerdClient, pair: SnapshotPair, lease: string): Promise<{ own: Mount[]; parent: Mount[]; parentKey: string }> {
  const { snapshotter, key } = pair;
  const own = await snapshotMounts(client, pair);
  const { info } = await client.unary<{ info: { parent: string } }>('snapshots', 'Stat', { snapshotter, key });
  if (!info.parent) return { own, parent: [], parentKey: '' };
  // the view belongs to the lease: it goes when the lease does
  const viewKey = `berth-view-${Date.now()}-${randomBytes(3).toString('base64url')}`;
  const { mounts: parent } = await client.unary<{ mounts: Mount[] }>('snapshots', 'View', { snapshotter, key: viewKey, parent: info.parent, labels: {} }, { lease });
  return { own, parent, parentKey: info.parent };
}
