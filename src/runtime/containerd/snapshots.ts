// Snapshots and the Diff service: how image layers become filesystems.

import { randomBytes } from 'node:crypto';
import { BerthError } from '../../errors.js';
import type { ContainerdClient } from './client.js';
import type { Descriptor } from './types.js';
import type { LayerToUnpack } from '../../image/store.js';

export interface Mount {
  type: string;
  source: string;
  target: string;
  options: string[];
}

const SNAPSHOT_REF_LABEL = 'containerd.io/snapshot.ref';

export async function snapshotExists(client: ContainerdClient, snapshotter: string, key: string): Promise<boolean> {
  try {
    await client.unary('snapshots', 'Stat', { snapshotter, key });
    return true;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return false;
    throw error;
  }
}

/**
 * Applies one layer on top of `parent` and commits it as `chainId` (Prepare → Diff.Apply →
 * Commit, as containerd's unpacker does). Returns the uncompressed digest the differ computed;
 * the caller checks it against the image config's diff_id.
 */
export async function unpackLayer(
  client: ContainerdClient,
  options: { snapshotter: string; chainId: string; parent: string; layer: LayerToUnpack; expectedDiffId: string; lease: string },
): Promise<'unpacked' | 'present'> {
  const { snapshotter, chainId, parent, layer, expectedDiffId, lease } = options;
  const call = { lease };
  const key = `extract-${Date.now()}-${randomBytes(3).toString('base64url')} ${chainId}`;
  let mounts: Mount[];
  try {
    ({ mounts } = await client.unary<{ mounts: Mount[] }>('snapshots', 'Prepare', { snapshotter, key, parent, labels: { [SNAPSHOT_REF_LABEL]: chainId } }, call));
  } catch (error) {
    if (error instanceof BerthError && error.category === 'already-exists') return 'present';
    throw error;
  }
  try {
    const diff: Descriptor = { media_type: layer.mediaType, digest: layer.digest, size: String(layer.size), annotations: { ...(layer.annotations ?? {}) } };
    const { applied } = await client.unary<{ applied: Descriptor }>('diff', 'Apply', { diff, mounts }, { ...call, timeoutMs: 30 * 60_000 });
    if (applied.digest !== expectedDiffId) {
      throw new BerthError('invalid-argument', `layer ${layer.digest} unpacked to ${applied.digest}, but the image config says ${expectedDiffId}`);
    }
    try {
      await client.unary('snapshots', 'Commit', { snapshotter, name: chainId, key, labels: { [SNAPSHOT_REF_LABEL]: chainId } }, call);
    } catch (error) {
      if (!(error instanceof BerthError && error.category === 'already-exists')) throw error;
      await removeSnapshot(client, snapshotter, key);
      return 'present';
    }
    return 'unpacked';
  } catch (error) {
    await removeSnapshot(client, snapshotter, key).catch(() => undefined);
    throw error;
  }
}

export async function removeSnapshot(client: ContainerdClient, snapshotter: string, key: string): Promise<void> {
  await client.unary('snapshots', 'Remove', { snapshotter, key });
}
