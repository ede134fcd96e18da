// `berth push`: send a local image to a registry. Every blob the registry lacks is streamed
// from containerd's content store (never held whole in memory), then the manifest(s), and the
// tag last, so that a tag never points at content the registry does not have.

import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import { choosePlatform, parseImageConfig, parseManifestDocument, type Descriptor, type ImageIndex, type ImageManifest } from './manifest.js';
import { IMAGE_MANIFEST_MEDIA_TYPES, isNondistributableLayer } from './media-types.js';
import { compatiblePlatforms, formatPlatform, hostPlatform, normalizePlatform, samePlatform, type Platform } from './platform.js';
import { parseReference, type Reference } from './reference.js';
import type { RegistryClient } from './registry/client.js';
import type { ImageStore, StoredImage } from './store.js';

/** What Docker's daemon allows by default (`max-concurrent-uploads`). */
const DEFAULT_CONCURRENT_UPLOADS = 5;
const MAX_DOCUMENT_BYTES = 4 << 20;
const MAX_CONFIG_BYTES = 32 << 20;

export type PushLayerEvent = 'preparing' | 'waiting' | 'pushing' | 'pushed' | 'already-exists';

export interface PushProgress {
  /** once per layer and event; `current`/`total` bytes while pushing */
  layer(digest: string, event: PushLayerEvent, current?: number, total?: number): void;
}

export interface PushOptions {
  /** a tagged reference: what the pushed image will be called in the registry */
  readonly reference: Reference;
  /** push only this platform's manifest of an index, as a single-platform image */
  readonly platform?: Platform;
  readonly maxConcurrentUploads?: number;
}

export interface PushResult {
  readonly tag: string;
  /** digest of what the tag now points at */
  readonly digest: string;
  /** size in bytes of that manifest or index */
  readonly size: number;
  /**
   * Set when the local image is an index whose platforms are not all here: the manifest of one
   * platform was pushed in its place.
   */
  readonly instead?: { readonly index: string; readonly manifest: string };
}

/** A manifest read from the content store, as it will be pushed: the same bytes, the same digest. */
interface LocalDocument {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

interface LocalManifest extends LocalDocument {
  readonly manifest: ImageManifest;
}

/**
 * What goes to the registry: the blobs of `manifests`; then with `index`, those manifests by
 * digest and the index under the tag; without, the one manifest under the tag.
 */
interface PushPlan {
  readonly manifests: readonly LocalManifest[];
  readonly index?: LocalDocument;
  readonly instead?: PushResult['instead'];
}

/**
 * The local tags of `reference`'s repository, for `push --all-tags`, sorted. Records named by
 * digest (`name@sha256:…`) are not tags and are left out.
 */
export async function repositoryTags(store: ImageStore, reference: Reference): Promise<Reference[]> {
  const prefix = `${reference.name}:`;
  const tags = (await store.listImages())
    .map((record) => record.name)
    .filter((name) => name.startsWith(prefix) && !name.includes('@'))
    .sort()
    .map((name) => parseReference(name));
  if (tags.length === 0) throw new BerthError('not-found', `An image does not exist locally with the tag: ${reference.familiar}`);
  return tags;
}

export async function pushImage(store: ImageStore, registry: RegistryClient, options: PushOptions, progress: PushProgress): Promise<PushResult> {
  const { reference } = options;
  if (reference.digest !== undefined || reference.tag === undefined) throw new BerthError('usage', 'cannot push a digest reference');
  const record = await store.getImage(reference.toString());
  if (!record) throw new BerthError('not-found', `An image does not exist locally with the tag: ${reference.familiar}`);
  const plan = await planPush(store, record, options.platform);

  const uploads = new BlobUploads(store, registry, reference.path, progress, options.maxConcurrentUploads ?? DEFAULT_CONCURRENT_UPLOADS);
  await uploads.pushAll(plan.manifests);
  let tagged: LocalDocument = plan.manifests[0];
  if (plan.index) {
    // The manifests of an index go first, by digest: registries refuse an index whose manifests they lack.
    for (const manifest of plan.manifests) await registry.putManifest(reference.path, manifest.digest, manifest.mediaType, manifest.bytes);
    tagged = plan.index;
  }
  const digest = await registry.putManifest(reference.path, reference.tag, tagged.mediaType, tagged.bytes);
  return { tag: reference.tag, digest, size: tagged.bytes.length, instead: plan.instead };
}

/**
 * Decides what to push. A single manifest goes as it is. An index goes whole when all of its
 * manifests and their blobs are here; otherwise (pulled for one platform) the best platform that
 * is here goes alone, as Docker does. `platform` asks for that platform's manifest alone.
 */
async function planPush(store: ImageStore, record: StoredImage, platform: Platform | undefined): Promise<PushPlan> {
  const top = await readDocument(store, record.name, record.target);
  const document = parseManifestDocument(top.bytes, top.mediaType);
  if (document.kind === 'manifest') {
    const manifest: LocalManifest = { ...top, mediaType: document.mediaType, manifest: document.manifest };
    await requireComplete(store, record.name, manifest);
    if (platform) await requirePlatform(store, record.name, manifest.manifest, platform);
    return { manifests: [manifest] };
  }

  const index = document.index;
  if (platform) {
    const entry = choosePlatform(index, platform);
    const manifest = await readLocalManifest(store, entry);
    if (!manifest || !(await isComplete(store, manifest.manifest))) {
      throw new BerthError('not-found', `${record.name}: the content for ${formatPlatform(normalizePlatform(platform))} is not available locally`);
    }
    return { manifests: [manifest] };
  }

  const local = await completeManifests(store, index);
  if (index.manifests.every((entry) => local.has(entry.digest))) {
    return { manifests: index.manifests.map((entry) => local.get(entry.digest) as LocalManifest), index: { ...top, mediaType: document.mediaType } };
  }
  const chosen = preferredPlatform(index, local);
  if (!chosen) {
    throw new BerthError('failed-precondition', `${record.name}: no platform of this multi-platform image is available locally; pull it again`);
  }
  return { manifests: [chosen], instead: { index: top.digest, manifest: chosen.digest } };
}

/** The index's manifests whose manifest, config and layers are all in the content store, by digest. */
async function completeManifests(store: ImageStore, index: ImageIndex): Promise<Map<string, LocalManifest>> {
  const local = new Map<string, LocalManifest>();
  for (const entry of index.manifests) {
    if (!IMAGE_MANIFEST_MEDIA_TYPES.has(entry.mediaType)) continue;
    const manifest = await readLocalManifest(store, entry);
    if (manifest && (await isComplete(store, manifest.manifest))) local.set(entry.digest, manifest);
  }
  return local;
}

/** The host's platform if it is here, else the first entry that is (as `readLocalImage` chooses). */
function preferredPlatform(index: ImageIndex, local: ReadonlyMap<string, LocalManifest>): LocalManifest | undefined {
  const entries = index.manifests.filter((entry) => local.has(entry.digest));
  for (const wanted of compatiblePlatforms(hostPlatform())) {
    const entry = entries.find((candidate) => candidate.platform && samePlatform(candidate.platform as Platform, wanted));
    if (entry) return local.get(entry.digest);
  }
  return entries.length > 0 ? local.get(entries[0].digest) : undefined;
}

async function readDocument(store: ImageStore, name: string, descriptor: { mediaType: string; digest: string }): Promise<LocalDocument> {
  if (!(await store.blobInfo(descriptor.digest))) {
    throw new BerthError('not-found', `${name}: content ${descriptor.digest} is missing from the content store; pull the image again`);
  }
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, bytes: await store.readBlobBytes(descriptor.digest, MAX_DOCUMENT_BYTES) };
}

async function readLocalManifest(store: ImageStore, entry: Descriptor): Promise<LocalManifest | undefined> {
  if (!(await store.blobInfo(entry.digest))) return undefined;
  const bytes = await store.readBlobBytes(entry.digest, MAX_DOCUMENT_BYTES);
  const document = parseManifestDocument(bytes, entry.mediaType);
  return document.kind === 'manifest' ? { mediaType: document.mediaType, digest: entry.digest, bytes, manifest: document.manifest } : undefined;
}

/** Blobs a push sends: the config and the layers, except those registries must not store. */
function blobsOf(manifest: ImageManifest): Descriptor[] {
  return [manifest.config, ...manifest.layers.filter((layer) => !isNondistributableLayer(layer.mediaType))];
}

async function missingBlob(store: ImageStore, manifest: ImageManifest): Promise<string | undefined> {
  for (const blob of blobsOf(manifest)) if (!(await store.blobInfo(blob.digest))) return blob.digest;
  return undefined;
}

async function isComplete(store: ImageStore, manifest: ImageManifest): Promise<boolean> {
  return (await missingBlob(store, manifest)) === undefined;
}

async function requireComplete(store: ImageStore, name: string, manifest: LocalManifest): Promise<void> {
  const missing = await missingBlob(store, manifest.manifest);
  if (missing) throw new BerthError('not-found', `${name}: content ${missing} is missing from the content store; pull the image again`);
}

/** `--platform` on a single-platform image: it must be that platform. */
async function requirePlatform(store: ImageStore, name: string, manifest: ImageManifest, platform: Platform): Promise<void> {
  const config = parseImageConfig(await store.readBlobBytes(manifest.config.digest, MAX_CONFIG_BYTES));
  const own = normalizePlatform({ os: config.os, architecture: config.architecture, variant: config.variant });
  if (!samePlatform(own, platform)) {
    throw new BerthError('not-found', `${name} is a ${formatPlatform(own)} image, not ${formatPlatform(normalizePlatform(platform))}`);
  }
}

/**
 * Uploads the blobs of a push, at most `limit` at a time; a blob shared by several manifests
 * goes once. Layers are reported to `progress`; the config, as in Docker, is not.
 */
class BlobUploads {
  private readonly uploads = new Map<string, Promise<void>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private failure?: { readonly error: unknown };

  constructor(
    private readonly store: ImageStore,
    private readonly registry: RegistryClient,
    private readonly repository: string,
    private readonly progress: PushProgress,
    private readonly limit: number,
  ) {}

  async pushAll(manifests: readonly LocalManifest[]): Promise<void> {
    const layers = new Set(manifests.flatMap((entry) => entry.manifest.layers.map((layer) => layer.digest)));
    for (const digest of layers) this.progress.layer(digest, 'preparing');
    const blobs = manifests.flatMap((entry) => blobsOf(entry.manifest));
    // Every upload is awaited before the first failure is reported, so none is cut off midway
    // when the caller closes the registry's connections.
    await Promise.allSettled(blobs.map((blob) => this.push(blob, layers.has(blob.digest))));
    if (this.failure) throw this.failure.error;
  }

  private push(blob: Descriptor, shown: boolean): Promise<void> {
    let upload = this.uploads.get(blob.digest);
    if (!upload) {
      upload = this.whenFree(shown ? blob.digest : undefined, () => this.upload(blob, shown));
      this.uploads.set(blob.digest, upload);
    }
    return upload;
  }

  private async upload(blob: Descriptor, shown: boolean): Promise<void> {
    const report = (event: PushLayerEvent, current?: number) => {
      if (shown) this.progress.layer(blob.digest, event, current, blob.size);
    };
    if (await this.registry.blobExists(this.repository, blob.digest)) {
      report('already-exists');
      return;
    }
    report('pushing', 0);
    const store = this.store;
    let sent = 0;
    const content = Readable.from(
      (async function* () {
        for await (const chunk of store.readBlob(blob.digest)) {
          sent += chunk.length;
          report('pushing', sent);
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
    await this.registry.uploadBlob(this.repository, blob, content);
    report('pushed');
  }

  /**
   * Runs `task` in one of `limit` slots; a layer that has to wait for one says so. After a
   * failure nothing new starts, and the first failure is the one reported.
   */
  private async whenFree(layer: string | undefined, task: () => Promise<void>): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
    } else {
      if (layer) this.progress.layer(layer, 'waiting');
      // A finishing upload hands its slot over (see below), so `running` stays as it is.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    try {
      if (!this.failure) await task();
    } catch (error) {
      this.failure ??= { error };
      throw error;
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
