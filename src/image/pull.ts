// `berth pull`: resolve the reference at the registry, stream every blob into containerd's
// content store (resumable, verified), unpack the layers into the snapshotter as they arrive,
// label everything for containerd's garbage collector, and record the image last.

import { createHash } from 'node:crypto';
import { BerthError } from '../errors.js';
import { choosePlatform, parseImageConfig, type Descriptor, type ImageManifest, type ManifestDocument } from './manifest.js';
import { INDEX_MEDIA_TYPES, IMAGE_MANIFEST_MEDIA_TYPES } from './media-types.js';
import { hostPlatform, type Platform } from './platform.js';
import type { Reference } from './reference.js';
import type { RegistryClient } from './registry/client.js';
import type { ImageStore, OpenSource } from './store.js';
import { criPullNames, recordForCri } from './cri-records.js';
import { GC_LABELS, distributionSourceLabel } from './labels.js';
import { readLocalImage } from './local.js';
import { unpackLayers } from './unpack.js';

const MAX_CONFIG_BYTES = 32 << 20;

export type LayerEvent = 'waiting' | 'downloading' | 'download-complete' | 'extracting' | 'pull-complete' | 'already-exists';

export interface PullProgress {
  resolving(reference: Reference): void;
  resolved(digest: string): void;
  layer(digest: string, event: LayerEvent, current?: number, total?: number): void;
}

export interface PullOptions {
  readonly reference: Reference;
  /** default: the host's platform */
  readonly platform?: Platform;
  readonly allPlatforms?: boolean;
  readonly maxConcurrentDownloads: number;
}

export interface PullResult {
  readonly reference: Reference;
  /** digest of what the reference points at: the index or the manifest */
  readonly digest: string;
  /** false when berth already had this image and fetched nothing: "Image is up to date" */
  readonly changed: boolean;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function bufferSource(bytes: Buffer): OpenSource {
  return async () => ({
    stream: (async function* () {
      yield bytes;
    })(),
    resumed: false,
  });
}

/** Runs `task` over `items` with at most `limit` at a time; results keep the input order. */
function limited<T, R>(items: readonly T[], limit: number, task: (item: T, position: number) => Promise<R>): Promise<R>[] {
  let running = 0;
  const queue: (() => void)[] = [];
  return items.map(async (item, position) => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await task(item, position);
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  });
}

/** A promise settled from outside, once. */
function settleable(): { settled: Promise<void>; settle: () => void } {
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  return { settled, settle };
}

class Puller {
  private changed = false;
  private readonly repository: string;
  private readonly sourceLabels: Record<string, string>;

  constructor(
    private readonly store: ImageStore,
    private readonly registry: RegistryClient,
    private readonly options: PullOptions,
    private readonly progress: PullProgress,
    private readonly lease: string,
  ) {
    this.repository = options.reference.path;
    this.sourceLabels = distributionSourceLabel(options.reference);
  }

  async pullManifest(top: { digest: string; mediaType: string; bytes: Buffer; document: ManifestDocument }): Promise<void> {
    if (top.document.kind === 'manifest') {
      await this.pullImageManifest({ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }, top.bytes, top.document.manifest);
      return;
    }
    const index = top.document.index;
    const children = index.manifests.filter((entry) => IMAGE_MANIFEST_MEDIA_TYPES.has(entry.mediaType) || INDEX_MEDIA_TYPES.has(entry.mediaType));
    const chosen = this.options.allPlatforms
      ? children.filter((entry) => IMAGE_MANIFEST_MEDIA_TYPES.has(entry.mediaType))
      : [choosePlatform(index, this.options.platform ?? hostPlatform())];
    for (const entry of chosen) {
      const child = await this.registry.getManifest(this.repository, entry.digest);
      if (child.digest !== entry.digest || sha256(child.bytes) !== entry.digest) {
        throw new BerthError('invalid-argument', `manifest ${entry.digest}: the registry sent content with digest ${sha256(child.bytes)}`);
      }
      if (child.document.kind !== 'manifest') throw new BerthError('invalid-argument', `manifest ${entry.digest}: nested indexes are not supported`);
      await this.pullImageManifest(entry, child.bytes, child.document.manifest);
    }
    const childLabels = Object.fromEntries(index.manifests.map((entry, position) => [`${GC_LABELS.manifestPrefix}${position}`, entry.digest]));
    await this.storeBlob({ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }, 'index', bufferSource(top.bytes), { ...childLabels, ...this.sourceLabels });
  }

  private async pullImageManifest(descriptor: Descriptor, bytes: Buffer, manifest: ImageManifest): Promise<void> {
    const unpack = !this.options.allPlatforms;
    for (const layer of manifest.layers) this.progress.layer(layer.digest, 'waiting');
    // For the unpacker a layer is of use only once complete and in order: a download starts when
    // the one before it is halfway (and a slot is free), so the first layers are done early
    // instead of all at the same late moment (on a 2-CPU machine, ~5% of a 250 MB pull).
    const halfway = manifest.layers.map(() => settleable());
    const downloads = limited(manifest.layers, this.options.maxConcurrentDownloads, async (layer, position) => {
      if (unpack && position > 0) await halfway[position - 1].settled;
      try {
        await this.downloadLayer(layer, (written) => {
          if (written >= layer.size / 2) halfway[position].settle();
        });
      } finally {
        halfway[position].settle();
      }
    });
    // Each failure is seen where the download is awaited; these handlers only keep a second failing
    // download from counting as unhandled while the first one's error is on its way out.
    for (const download of downloads) download.catch(() => undefined);
    // the config (small) is fetched while the layers already flow
    const config = await this.fetchConfig(manifest.config);
    if (unpack) {
      // Unpacking layer i needs layer i-1 unpacked and layer i downloaded; later layers keep downloading meanwhile.
      const unpacked = await unpackLayers(this.store, {
        layers: manifest.layers,
        diffIds: config.parsed.rootfs.diff_ids,
        configDigest: manifest.config.digest,
        lease: this.lease,
        ready: (position) => downloads[position],
        onLayer: (layer, event) => {
          if (event === 'extracting') this.progress.layer(layer.digest, 'extracting');
          else if (event === 'unpacked') this.progress.layer(layer.digest, 'pull-complete');
        },
      });
      if (unpacked) this.changed = true;
    }
    await Promise.all(downloads);

    const manifestLabels: Record<string, string> = { [GC_LABELS.config]: manifest.config.digest, ...this.sourceLabels };
    manifest.layers.forEach((layer, position) => {
      manifestLabels[`${GC_LABELS.layerPrefix}${position}`] = layer.digest;
    });
    await this.storeBlob(descriptor, 'manifest', bufferSource(bytes), manifestLabels);
  }

  private async fetchConfig(descriptor: Descriptor): Promise<{ parsed: ReturnType<typeof parseImageConfig> }> {
    if (descriptor.size > MAX_CONFIG_BYTES) throw new BerthError('invalid-argument', `image config ${descriptor.digest} is larger than ${MAX_CONFIG_BYTES} bytes`);
    let bytes: Buffer;
    if (await this.store.blobInfo(descriptor.digest)) {
      bytes = await this.store.readBlobBytes(descriptor.digest, MAX_CONFIG_BYTES);
    } else {
      const fetched = await this.registry.fetchBlob(this.repository, descriptor);
      const chunks: Buffer[] = [];
      for await (const chunk of fetched.stream) chunks.push(Buffer.from(chunk));
      bytes = Buffer.concat(chunks);
      if (sha256(bytes) !== descriptor.digest) {
        throw new BerthError('invalid-argument', `image config ${descriptor.digest}: the registry sent content with digest ${sha256(bytes)}`);
      }
    }
    await this.storeBlob(descriptor, 'config', bufferSource(bytes), this.sourceLabels);
    return { parsed: parseImageConfig(bytes) };
  }

  private async downloadLayer(layer: Descriptor, onWritten?: (written: number) => void): Promise<void> {
    if (await this.store.blobInfo(layer.digest)) {
      this.progress.layer(layer.digest, 'already-exists');
      return;
    }
    const open: OpenSource = async (offset) => {
      const fetched = await this.registry.fetchBlob(this.repository, layer, { offset });
      return { stream: fetched.stream, resumed: fetched.status === 206 };
    };
    await this.storeBlob(layer, 'layer', open, this.sourceLabels, (written) => {
      onWritten?.(written);
      this.progress.layer(layer.digest, 'downloading', written, layer.size);
    });
    this.progress.layer(layer.digest, 'download-complete');
  }

  private async storeBlob(descriptor: Descriptor, kind: string, open: OpenSource, labels: Record<string, string>, onProgress?: (written: number) => void): Promise<void> {
    const ref = `${kind}-${descriptor.digest}`;
    try {
      const outcome = await this.store.writeBlob({ digest: descriptor.digest, size: descriptor.size, ref, labels, lease: this.lease }, open, onProgress);
      if (outcome === 'written') this.changed = true;
      else await this.store.setBlobLabels(descriptor.digest, labels, this.lease);
    } catch (error) {
      // A blob that fails verification must not be resumed later: drop what was written.
      if (error instanceof BerthError && (error.category === 'invalid-argument' || error.category === 'failed-precondition')) {
        await this.store.abortIngest(ref).catch(() => undefined);
      }
      throw error;
    }
  }

  get anythingChanged(): boolean {
    return this.changed;
  }
}

export async function pullImage(store: ImageStore, registry: RegistryClient, options: PullOptions, progress: PullProgress): Promise<PullResult> {
  const { reference } = options;
  progress.resolving(reference);
  const top = await registry.getManifest(reference.path, reference.digest ?? reference.tag ?? 'latest');
  if (reference.digest && top.digest !== reference.digest) {
    throw new BerthError('invalid-argument', `manifest ${reference.digest}: the registry sent content with digest ${top.digest}`);
  }
  progress.resolved(top.digest);
  return store.withLease(async (lease) => {
    const puller = new Puller(store, registry, options, progress, lease);
    await puller.pullManifest(top);
    const name = reference.toString();
    const existing = await store.getImage(name);
    const changed = puller.anythingChanged || existing?.target.digest !== top.digest;
    const target = { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length };
    if (store.criImages) {
      const image = await readLocalImage(store, { name, target, labels: {} });
      if (!image) throw new BerthError('not-found', `${name}: no manifest for this platform was pulled`);
      await recordForCri(store, { target, configDigest: image.configDigest, names: criPullNames(reference, top.digest) });
    } else {
      await store.putImage({ name, target, labels: existing?.labels ?? {} });
    }
    return { reference, digest: top.digest, changed };
  });
}
