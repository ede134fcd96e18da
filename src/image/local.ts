// Images as they are stored in containerd, read once into a plain record: the image record,
// the manifest chosen for a platform, its config. Every command that shows or uses a local
// image starts here.

import { BerthError } from '../errors.js';
import { chainIds } from './layers.js';
import { parseImageConfig, parseManifestDocument, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from './manifest.js';
import { IMAGE_MANIFEST_MEDIA_TYPES } from './media-types.js';
import { compatiblePlatforms, formatPlatform, hostPlatform, normalizePlatform, samePlatform, type Platform } from './platform.js';
import { parseReference } from './reference.js';
import type { ImageStore, StoredImage } from './store.js';

const MAX_DOCUMENT_BYTES = 4 << 20;
const MAX_CONFIG_BYTES = 32 << 20;

export interface LocalImage {
  readonly record: StoredImage;
  /** the index, when the image's target is one */
  readonly index?: ImageIndex;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly configDigest: string;
  readonly config: ImageConfig;
  readonly platform: Platform;
  /** chain IDs of the layers, bottom first: the snapshot of the top one is the image's rootfs */
  readonly chainIds: readonly string[];
  /** compressed size of manifest, config and layers as stored */
  readonly contentSize: number;
}

async function readDocument(store: ImageStore, digest: string) {
  return store.readBlobBytes(digest, MAX_DOCUMENT_BYTES);
}

/**
 * The manifest of `record` for `platform` (default: the host's, else any platform whose content
 * is here, so an image pulled with --platform still shows). Undefined when no platform's content
 * is present.
 */
export async function readLocalImage(store: ImageStore, record: StoredImage, platform?: Platform): Promise<LocalImage | undefined> {
  const targetBytes = await readDocument(store, record.target.digest).catch(() => undefined);
  if (!targetBytes) return undefined;
  const document = parseManifestDocument(targetBytes, record.target.mediaType);
  let index: ImageIndex | undefined;
  let manifestDescriptor: Descriptor;
  let manifestBytes: Buffer;
  if (document.kind === 'manifest') {
    manifestDescriptor = { mediaType: document.mediaType, digest: record.target.digest, size: record.target.size };
    manifestBytes = targetBytes;
  } else {
    index = document.index;
    const entries = index.manifests.filter((entry) => IMAGE_MANIFEST_MEDIA_TYPES.has(entry.mediaType) && entry.platform);
    const wanted = platform ? compatiblePlatforms(platform) : [...compatiblePlatforms(hostPlatform()), ...entries.map((entry) => entry.platform as Platform)];
    let found: { entry: Descriptor; bytes: Buffer } | undefined;
    for (const candidate of wanted) {
      const entry = entries.find((item) => samePlatform(item.platform as Platform, candidate));
      if (!entry) continue;
      const bytes = await readDocument(store, entry.digest).catch(() => undefined);
      if (bytes) {
        found = { entry, bytes };
        break;
      }
    }
    if (!found) return undefined;
    manifestDescriptor = found.entry;
    manifestBytes = found.bytes;
  }
  const manifestDocument = parseManifestDocument(manifestBytes, manifestDescriptor.mediaType);
  if (manifestDocument.kind !== 'manifest') throw new BerthError('invalid-argument', `${record.name}: nested indexes are not supported`);
  const manifest = manifestDocument.manifest;
  const configBytes = await store.readBlobBytes(manifest.config.digest, MAX_CONFIG_BYTES).catch(() => undefined);
  if (!configBytes) return undefined;
  const config = parseImageConfig(configBytes);
  const imagePlatform = normalizePlatform({ os: config.os, architecture: config.architecture, variant: config.variant });
  const contentSize = manifestDescriptor.size + manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  return {
    record,
    index,
    manifestDescriptor,
    manifest,
    configDigest: manifest.config.digest,
    config,
    platform: imagePlatform,
    chainIds: chainIds(config.rootfs.diff_ids),
    contentSize,
  };
}

/** What `docker images` calls IMAGE ID: the config digest, shortened to 12 hex digits. */
export function shortImageId(configDigest: string): string {
  return configDigest.replace(/^sha256:/, '').slice(0, 12);
}

export function describePlatform(image: LocalImage): string {
  return formatPlatform(image.platform);
}

/**
 * Finds the image records a user means by `name`: a reference (`busybox` means
 * `docker.io/library/busybox:latest`), a full `sha256:` config digest, or a unique prefix of
 * one (at least one hex digit, as Docker accepts). All records of that image are returned.
 */
export async function findImages(store: ImageStore, name: string): Promise<{ records: StoredImage[]; byId: boolean }> {
  const reference = tryParse(name);
  if (reference) {
    const record = await store.getImage(reference.toString());
    if (record) return { records: [record], byId: false };
  }
  const idMatch = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(name);
  if (!idMatch) throw new BerthError('not-found', `No such image: ${name}`);
  const prefix = `sha256:${idMatch[1]}`;
  const configByTarget = new Map<string, string | undefined>();
  const matches: StoredImage[] = [];
  for (const record of await store.listImages()) {
    if (!configByTarget.has(record.target.digest)) {
      configByTarget.set(record.target.digest, (await readLocalImage(store, record).catch(() => undefined))?.configDigest);
    }
    if (configByTarget.get(record.target.digest)?.startsWith(prefix)) matches.push(record);
  }
  if (matches.length === 0) throw new BerthError('not-found', `No such image: ${name}`);
  if (new Set(matches.map((record) => configByTarget.get(record.target.digest))).size > 1) {
    throw new BerthError('invalid-argument', `image ID prefix "${name}" is ambiguous`);
  }
  return { records: matches, byId: true };
}

function tryParse(name: string) {
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

/** Whether the image's layers are unpacked in the store's snapshotter. */
export async function isUnpacked(store: ImageStore, image: LocalImage): Promise<boolean> {
  const top = image.chainIds[image.chainIds.length - 1];
  return top === undefined ? true : store.snapshotExists(top);
}
