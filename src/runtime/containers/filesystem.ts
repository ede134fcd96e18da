// `diff` and `export`: a container's root filesystem through containerd's Diff service, running
// or not. The layers the differ writes are content under a lease of their own, gone (to the
// garbage collector) when the command ends.

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { readBlob } from '../containerd/content.js';
import { diffMounts, snapshotAndParentMounts, snapshotMounts } from '../containerd/diff.js';
import { withLease } from '../containerd/leases.js';
import { changeSet, type Change, type LayerEntry } from './change-set.js';
import { storedSpec } from './inspect.js';
import type { ContainerRecord } from './record.js';

const UNCOMPRESSED_LAYER = 'application/vnd.oci.image.layer.v1.tar';

function snapshotOf(record: ContainerRecord): { snapshotter: string; key: string } {
  const { snapshotter, snapshot_key: key } = record.container;
  if (!key) throw new BerthError('failed-precondition', `container ${record.id} has no root filesystem snapshot`);
  return { snapshotter, key };
}

/** The headers of a tar blob, its contents skipped. */
async function layerEntries(context: RuntimeContext, digest: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  const parser = new Parser();
  parser.on('entry', (entry: ReadEntry) => {
    entries.push({
      path: entry.path,
      directory: entry.type === 'Directory',
      mode: entry.mode ?? 0,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: Math.floor((entry.mtime?.getTime() ?? 0) / 1000),
    });
    entry.resume();
  });
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  for await (const chunk of readBlob(context.containerd, digest)) {
    if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
  }
  parser.end();
  await ended;
  return entries;
}

/** Docker's `diff` of a container: what was added, changed and deleted since its image. */
export async function containerChanges(context: RuntimeContext, record: ContainerRecord): Promise<Change[]> {
  const client = context.containerd;
  return withLease(client, async (lease) => {
    const { own, parent } = await snapshotAndParentMounts(client, snapshotOf(record), lease);
    const [forward, reverse] = await Promise.all([
      diffMounts(client, { left: parent, right: own, mediaType: UNCOMPRESSED_LAYER, lease }),
      diffMounts(client, { left: own, right: parent, mediaType: UNCOMPRESSED_LAYER, lease }),
    ]);
    const [after, before] = await Promise.all([layerEntries(context, forward.digest), layerEntries(context, reverse.digest)]);
    const mountPoints = (storedSpec(record)?.mounts ?? []).map((mount) => mount.destination);
    return changeSet(after, before, mountPoints);
  });
}

/** The container's whole root filesystem as a tar (its volumes and binds are not in it), written to `sink`. */
export async function exportRootfs(context: RuntimeContext, record: ContainerRecord, output: Writable): Promise<void> {
  const client = context.containerd;
  await withLease(client, async (lease) => {
    const own = await snapshotMounts(client, snapshotOf(record));
    const layer = await diffMounts(client, { left: [], right: own, mediaType: UNCOMPRESSED_LAYER, lease });
    for await (const chunk of readBlob(client, layer.digest)) {
      if (!output.write(chunk)) await once(output, 'drain');
    }
  });
}
