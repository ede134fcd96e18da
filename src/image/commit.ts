// `berth commit`'s image side: a container's new layer (already in the content store, written
// by containerd's differ) on top of the image it was created from. Config and manifest are the
// base's with the layer appended, the config also takes the container's settings, `--change`s,
// author and a history entry as Docker writes them; then the layer is unpacked (so the image
// runs at once) and the image recorded, with the GC labels a pulled image has.

import { applyChanges, type ChangedConfig } from './config-changes.js';
import { bytesSource, putBlob, sha256Digest } from './archive/blobs.js';
import { untaggedImageName } from './image-names.js';
import { GC_LABELS } from './labels.js';
import type { LocalImage } from './local.js';
import type { Descriptor } from './manifest.js';
import { MediaType } from './media-types.js';
import type { Platform } from './platform.js';
import type { Reference } from './reference.js';
import type { ImageStore } from './store.js';
import { unpackLayers } from './unpack.js';

const MAX_CONFIG_BYTES = 32 << 20;

export interface CommittedLayer {
  /** the compressed (gzip) blob */
  readonly digest: string;
  readonly size: number;
  /** digest of the uncompressed tar */
  readonly diffId: string;
}

export interface CommitImageOptions {
  /** the image the layer goes on; undefined: the layer is the whole root filesystem */
  readonly base?: LocalImage;
  /** when there is no base */
  readonly platform: Platform;
  readonly layer: CommittedLayer;
  /** the container's settings, which `changes` then amend */
  readonly containerConfig: ChangedConfig;
  readonly changes: readonly string[];
  readonly author?: string;
  readonly comment?: string;
  /** the history entry's `created_by`: the container's command, as Docker records it */
  readonly createdBy: string;
  readonly reference?: Reference;
  /** the lease the layer was written under: everything here joins it until the image holds it */
  readonly lease: string;
}

export interface CommitImageResult {
  /** the image ID */
  readonly configDigest: string;
  readonly name: string;
}

/** The config of the new image, from the base's config document as stored (fields berth does not know are kept). */
export function committedConfig(
  baseConfig: Record<string, unknown> | undefined,
  options: Omit<CommitImageOptions, 'base' | 'lease' | 'reference' | 'layer'> & { diffId: string; created: string },
): Record<string, unknown> {
  const base = baseConfig ?? { architecture: options.platform.architecture, os: options.platform.os, ...(options.platform.variant ? { variant: options.platform.variant } : {}) };
  const rootfs = (base.rootfs as { diff_ids?: string[] } | undefined) ?? {};
  const history = Array.isArray(base.history) ? base.history : [];
  const entry = {
    created: options.created,
    ...(options.author ? { author: options.author } : {}),
    created_by: options.createdBy,
    ...(options.comment ? { comment: options.comment } : {}),
  };
  const { author: _author, comment: _comment, ...rest } = base;
  return {
    ...rest,
    created: options.created,
    ...(options.author ? { author: options.author } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    config: applyChanges(options.changes, options.containerConfig),
    rootfs: { type: 'layers', diff_ids: [...(rootfs.diff_ids ?? []), options.diffId] },
    history: [...history, entry],
  };
}

export async function commitImage(store: ImageStore, options: CommitImageOptions): Promise<CommitImageResult> {
  const { base, layer, lease } = options;
  const docker = base?.manifestDescriptor.mediaType === MediaType.dockerManifest;
  const baseConfig = base ? (JSON.parse((await store.readBlobBytes(base.configDigest, MAX_CONFIG_BYTES)).toString('utf8')) as Record<string, unknown>) : undefined;
  const config = committedConfig(baseConfig, { ...options, diffId: layer.diffId, created: new Date().toISOString() });
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor = { mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length };
  const layerDescriptor = { mediaType: docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip, digest: layer.digest, size: layer.size };
  const layers: Descriptor[] = [...(base?.manifest.layers ?? []), layerDescriptor];
  const manifestMediaType = docker ? MediaType.dockerManifest : MediaType.ociManifest;
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: manifestMediaType, config: configDescriptor, layers }));
  const target = { mediaType: manifestMediaType, digest: sha256Digest(manifestBytes), size: manifestBytes.length };

  await putBlob(store, { ...configDescriptor, ref: `commit-${configDescriptor.digest}`, lease }, bytesSource(configBytes), 'the image config');
  const diffIds = (config.rootfs as { diff_ids: string[] }).diff_ids;
  await unpackLayers(store, { layers, diffIds, configDigest: configDescriptor.digest, lease });
  const labels: Record<string, string> = { [GC_LABELS.config]: configDescriptor.digest };
  for (const [position, item] of layers.entries()) labels[`${GC_LABELS.layerPrefix}${position}`] = item.digest;
  await putBlob(store, { ...target, ref: `commit-${target.digest}`, labels, lease }, bytesSource(manifestBytes), 'the image manifest');
  const name = options.reference?.toString() ?? untaggedImageName(target.digest);
  const existing = await store.getImage(name);
  await store.putImage({ name, target, labels: existing?.labels ?? {} });
  return { configDigest: configDescriptor.digest, name };
}
