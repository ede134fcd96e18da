// `commit`: the container's changes as a new layer on its image. The layer comes from the same
// Diff service comparison `diff` lists (here gzip-compressed into the content store); the image
// is then built in src/image. With `--pause` (Docker's default) the task is frozen while the
// layer is taken, so that it is consistent, and thawed whatever happens.

import { BerthError } from '../../errors.js';
import type { ChangedConfig } from '../../image/config-changes.js';
import type { CommitImageResult } from '../../image/commit.js';
import type { LocalImage } from '../../image/local.js';
import { MediaType } from '../../image/media-types.js';
import type { Reference } from '../../image/reference.js';
import type { ImageStore } from '../../image/store.js';
import type { RuntimeContext } from '../context.js';
import { diffMounts, snapshotAndParentMounts } from '../containerd/diff.js';
import { containerdImageStore } from '../containerd/image-store.js';
import { inspectContainer } from './inspect.js';
import { LABELS } from './labels.js';
import type { ContainerRecord } from './record.js';

const UNCOMPRESSED_LABEL = 'containerd.io/uncompressed';

export interface CommitRequest {
  readonly reference?: Reference;
  readonly changes: readonly string[];
  readonly author?: string;
  readonly comment?: string;
  readonly pause: boolean;
}

/** The image the container was created from, if it is still stored as it was. */
async function baseImage(store: ImageStore, record: ContainerRecord): Promise<LocalImage | undefined> {
  const { readLocalImage, findImages } = await import('../../image/local.js');
  const { parsePlatform } = await import('../../image/platform.js');
  const platformLabel = record.container.labels[LABELS.platform];
  const platform = platformLabel ? parsePlatform(platformLabel) : undefined;
  const candidates = [];
  if (record.container.image) {
    const stored = await store.getImage(record.container.image).catch(() => undefined);
    if (stored) candidates.push(stored);
  }
  // renamed or untagged since: the image ID still finds it
  if (record.imageId) candidates.push(...(await findImages(store, record.imageId).catch(() => ({ records: [] }))).records);
  for (const candidate of candidates) {
    const image = await readLocalImage(store, candidate, platform).catch(() => undefined);
    if (image && (record.imageId === '' || image.configDigest === record.imageId)) return image;
  }
  return undefined;
}

/** Config as `inspect` shows it, the part an image config holds. */
function imageRunConfig(inspected: Record<string, unknown>): ChangedConfig {
  const config = (inspected.Config ?? {}) as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal']) {
    const value = config[key];
    if (value !== null && value !== undefined && value !== '') result[key] = value instanceof Map ? Object.fromEntries(value) : value;
  }
  return result as ChangedConfig;
}

export async function commitContainer(context: RuntimeContext, record: ContainerRecord, request: CommitRequest): Promise<CommitImageResult> {
  const { snapshotter, snapshot_key: key } = record.container;
  if (!key) throw new BerthError('failed-precondition', `container ${record.id} has no root filesystem snapshot`);
  const { applyChanges } = await import('../../image/config-changes.js');
  applyChanges(request.changes); // a bad --change is refused before the container is touched
  const { commitImage } = await import('../../image/commit.js');
  const { hostPlatform, parsePlatform } = await import('../../image/platform.js');
  const client = context.containerd;
  const store = containerdImageStore(client, snapshotter);
  const base = await baseImage(store, record);
  const inspected = await inspectContainer(context, record, { imageConfig: base?.config.config ?? undefined });
  const containerConfig = imageRunConfig(inspected);
  const platformLabel = record.container.labels[LABELS.platform];

  const pause = request.pause && record.status === 'running';
  if (pause) await client.unary('tasks', 'Pause', { container_id: record.id });
  try {
    return await store.withLease(async (lease) => {
      const pair = { snapshotter, key };
      const { own, parent, parentKey } = await snapshotAndParentMounts(client, pair, lease);
      // without its image the container's whole root filesystem becomes the image's one layer
      const onBase = base !== undefined && parentKey === base.chainIds.at(-1);
      const layer = await diffMounts(client, { left: onBase ? parent : [], right: own, mediaType: MediaType.ociLayerGzip, lease });
      const diffId = (await store.blobInfo(layer.digest))?.labels[UNCOMPRESSED_LABEL];
      if (!diffId) throw new BerthError('internal', `the differ left no ${UNCOMPRESSED_LABEL} label on layer ${layer.digest}`);
      return commitImage(store, {
        base: onBase ? base : undefined,
        platform: base?.platform ?? (platformLabel ? parsePlatform(platformLabel) : hostPlatform()),
        layer: { digest: layer.digest, size: Number(layer.size), diffId },
        containerConfig,
        changes: request.changes,
        author: request.author,
        comment: request.comment,
        createdBy: ((containerConfig.Cmd ?? []) as string[]).join(' '),
        reference: request.reference,
        lease,
      });
    });
  } finally {
    if (pause) await client.unary('tasks', 'Resume', { container_id: record.id });
  }
}
