// `berth load`: images from a tar archive into containerd. Reads what `docker save` writes (the
// OCI layout of Docker 25+, and the older manifest.json with `<id>/layer.tar` layers), plain OCI
// image layouts, and either one gzip-compressed.
//
// The archive is read once, front to back (it may be stdin), and every file in it goes into the
// content store as it streams past, because the index that says what the files are may come last.
// Blobs of an OCI layout are named by their digest and streamed straight in, verified by
// containerd; other files (Docker's legacy layers and configs) are hashed into a temporary file
// first, since a write to the content store must name its digest up front. Everything happens
// under one lease: what the images do not reference (a legacy archive's `<id>/json` files, or
// all of it when the archive turns out to be bad) is left to containerd's garbage collector.

import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as z from 'zod/mini';
import { BerthError, withContext } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { familiarReference, untaggedImageName } from '../image-names.js';
import { GC_LABELS } from '../labels.js';
import { readLocalImage } from '../local.js';
import { parseImageConfig, parseManifestDocument, type Descriptor, type ImageManifest } from '../manifest.js';
import { IMAGE_MANIFEST_MEDIA_TYPES, INDEX_MEDIA_TYPES, MediaType } from '../media-types.js';
import { compatiblePlatforms, formatPlatform, samePlatform, type Platform } from '../platform.js';
import { digestProblem, parseReference, type Reference } from '../reference.js';
import type { ImageStore, OpenSource, StoredDescriptor } from '../store.js';
import { recordForCri } from '../cri-records.js';
import { unpackLayers } from '../unpack.js';
import { bytesSource, DigestingStream, putBlob, sha256Digest } from './blobs.js';
import { openSource, type ArchiveSource } from './files.js';
import { ANNOTATIONS, blobPathDigest, dockerManifestSchema, LAYOUT_FILES, OCI_LAYOUT_VERSION, ociLayoutSchema } from './layout.js';
import { archivePath, tarEntries, type TarEntry } from './tar-read.js';

/** index.json, manifest.json, manifests and configs: documents read whole into memory */
const MAX_DOCUMENT_BYTES = 32 << 20;
const MAX_LINK_HOPS = 16;
const METADATA_FILES: ReadonlySet<string> = new Set(Object.values(LAYOUT_FILES));

export interface LoadOptions {
  /** load this platform of a multi-platform image; default: the host's, else any that is present */
  readonly platform?: Platform;
  /** called when a layer starts to unpack */
  readonly onLayer?: (digest: string) => void;
}

export interface LoadedImage {
  /** as Docker prints them (`busybox:latest`); empty for an image without a name */
  readonly names: readonly string[];
  /** the image ID */
  readonly configDigest: string;
}

/** A file of the archive, as the blob it became in the content store. */
interface StoredFile {
  readonly digest: string;
  readonly size: number;
}

/** What the archive held, once it has been read: blobs in the content store, the rest in memory. */
interface ArchiveContents {
  /** archive path → the blob it became */
  readonly files: Map<string, StoredFile>;
  /** symlink or hard link path → the archive path it points to */
  readonly links: Map<string, string>;
  /** index.json, manifest.json, oci-layout, repositories */
  readonly metadata: Map<string, Buffer>;
}

/** An image the archive names, before its record exists. */
interface ArchiveImage {
  readonly references: Reference[];
  readonly target: StoredDescriptor;
}

export async function loadImages(store: ImageStore, source: ArchiveSource, options: LoadOptions = {}): Promise<LoadedImage[]> {
  const input = await openSource(source);
  const spool = await mkdtemp(join(tmpdir(), 'berth-load-'));
  try {
    return await store.withLease(async (lease) => {
      const contents = await readArchive(store, input, lease, spool);
      const images = await archiveImages(store, contents, lease);
      const loaded: LoadedImage[] = [];
      for (const image of images) {
        const configDigest = await prepareImage(store, image, lease, options);
        await recordImage(store, image, configDigest);
        loaded.push({ names: image.references.map(familiarReference), configDigest });
      }
      return loaded;
    });
  } finally {
    input.destroy();
    await rm(spool, { recursive: true, force: true });
  }
}

async function readArchive(store: ImageStore, input: Readable, lease: string, spool: string): Promise<ArchiveContents> {
  const contents: ArchiveContents = { files: new Map(), links: new Map(), metadata: new Map() };
  for await (const entry of tarEntries(input)) {
    if ((entry.kind === 'symlink' || entry.kind === 'hardlink') && entry.target !== undefined) {
      contents.links.set(entry.path, entry.target);
    } else if (entry.kind === 'file' && METADATA_FILES.has(entry.path)) {
      contents.metadata.set(entry.path, await readSmall(entry));
    } else if (entry.kind === 'file') {
      const named = blobPathDigest(entry.path);
      contents.files.set(entry.path, named ? await storeNamedBlob(store, entry, named, lease) : await storeFile(store, entry, lease, spool));
    }
  }
  return contents;
}

async function readSmall(entry: TarEntry): Promise<Buffer> {
  if (entry.size > MAX_DOCUMENT_BYTES) throw new BerthError('invalid-argument', `archive entry "${entry.path}" is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** `blobs/<algorithm>/<hex>`: the path names the digest, so the bytes go straight in; containerd checks them. */
async function storeNamedBlob(store: ImageStore, entry: TarEntry, digest: string, lease: string): Promise<StoredFile> {
  const problem = digestProblem(digest);
  if (problem) throw new BerthError('invalid-argument', `archive entry "${entry.path}" is not a blob: ${problem}`);
  let opened = false;
  const open: OpenSource = async () => {
    // The archive streams past once: a write that needs its bytes again cannot have them.
    if (opened) throw new BerthError('unavailable', `archive entry "${entry.path}" cannot be read a second time`);
    opened = true;
    return { stream: entry.body, resumed: false };
  };
  await putBlob(store, { digest, size: entry.size, ref: `load-${digest}`, lease }, open, `archive entry "${entry.path}"`);
  return { digest, size: entry.size };
}

/** Any other file: hashed on its way into a temporary file, then written under that digest. */
async function storeFile(store: ImageStore, entry: TarEntry, lease: string, spool: string): Promise<StoredFile> {
  const file = join(spool, randomBytes(8).toString('hex'));
  try {
    const digesting = new DigestingStream();
    await pipeline(entry.body, digesting, createWriteStream(file));
    const digest = digesting.digest();
    const open: OpenSource = async () => ({ stream: createReadStream(file), resumed: false });
    await putBlob(store, { digest, size: entry.size, ref: `load-${digest}`, lease }, open, `archive entry "${entry.path}"`);
    return { digest, size: entry.size };
  } finally {
    await rm(file, { force: true });
  }
}

/** The images the archive names: from index.json when it is an OCI layout, else from Docker's manifest.json. */
async function archiveImages(store: ImageStore, contents: ArchiveContents, lease: string): Promise<ArchiveImage[]> {
  const { metadata } = contents;
  const layout = metadata.get(LAYOUT_FILES.ociLayout);
  if (layout) {
    const version = parseJson(ociLayoutSchema, layout, LAYOUT_FILES.ociLayout).imageLayoutVersion;
    if (version !== OCI_LAYOUT_VERSION) throw new BerthError('invalid-argument', `unsupported OCI image layout version "${version}"`);
  }
  const index = metadata.get(LAYOUT_FILES.index);
  if (index) return imagesOfIndex(index);
  const manifest = metadata.get(LAYOUT_FILES.dockerManifest);
  if (manifest) return imagesOfDockerManifest(store, manifest, contents, lease);
  throw new BerthError('invalid-argument', 'not an image archive: it has neither index.json (OCI layout) nor manifest.json (docker save)');
}

function imagesOfIndex(bytes: Buffer): ArchiveImage[] {
  const document = parseManifestDocument(bytes, MediaType.ociIndex);
  if (document.kind !== 'index') throw new BerthError('invalid-argument', 'invalid index.json: not an image index');
  const byTarget = new Map<string, ArchiveImage>();
  for (const descriptor of document.index.manifests) {
    // Attestations and other artifacts can sit next to images; they are not images to load.
    if (!IMAGE_MANIFEST_MEDIA_TYPES.has(descriptor.mediaType) && !INDEX_MEDIA_TYPES.has(descriptor.mediaType)) continue;
    const image = byTarget.get(descriptor.digest) ?? { references: [], target: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size } };
    byTarget.set(descriptor.digest, image);
    const reference = referenceFromAnnotations(descriptor.annotations ?? {});
    if (reference && !image.references.some((known) => known.toString() === reference.toString())) image.references.push(reference);
  }
  return [...byTarget.values()];
}

/**
 * containerd's (and Docker's) annotation holds the full name. OCI's ref.name is mostly just a
 * tag (`latest`), which names no repository: it names the image only when it is a whole
 * reference, which a bare tag cannot be (tags have no `/`, `:` or `@`).
 */
function referenceFromAnnotations(annotations: Readonly<Record<string, string>>): Reference | undefined {
  const name = annotations[ANNOTATIONS.imageName] || (/[/:@]/.test(annotations[ANNOTATIONS.refName] ?? '') ? annotations[ANNOTATIONS.refName] : undefined);
  return name === undefined ? undefined : archiveReference(name);
}

/** Docker's manifest.json: configs and layers by archive path; a manifest is made for each image. */
async function imagesOfDockerManifest(store: ImageStore, bytes: Buffer, contents: ArchiveContents, lease: string): Promise<ArchiveImage[]> {
  const images: ArchiveImage[] = [];
  for (const entry of parseJson(dockerManifestSchema, bytes, LAYOUT_FILES.dockerManifest)) {
    const config = resolvePath(contents, entry.Config);
    try {
      parseImageConfig(await store.readBlobBytes(config.digest, MAX_DOCUMENT_BYTES));
    } catch (error) {
      throw withContext(`image config "${entry.Config}"`, error);
    }
    const layers: Descriptor[] = [];
    for (const path of entry.Layers) {
      const layer = resolvePath(contents, path);
      layers.push({ mediaType: await legacyLayerMediaType(store, layer.digest, path), digest: layer.digest, size: layer.size });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, digest: config.digest, size: config.size },
      layers,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(manifestBytes);
    await putBlob(store, { digest, size: manifestBytes.length, ref: `load-${digest}`, lease }, bytesSource(manifestBytes), `the manifest of ${entry.Config}`);
    images.push({ references: (entry.RepoTags ?? []).map(archiveReference), target: { mediaType: MediaType.dockerManifest, digest, size: manifestBytes.length } });
  }
  return images;
}

/** The blob an archive path (perhaps through links, as Docker links layers shared by images) became. */
function resolvePath(contents: ArchiveContents, raw: string): StoredFile {
  let path = archivePath(raw, raw);
  for (let hops = 0; contents.links.has(path); hops += 1) {
    if (hops === MAX_LINK_HOPS) throw new BerthError('invalid-argument', `archive entry "${raw}": too many levels of links`);
    path = contents.links.get(path) as string;
  }
  const file = contents.files.get(path);
  if (!file) throw new BerthError('invalid-argument', `manifest.json refers to "${raw}", which is not in the archive`);
  return file;
}

/** Legacy layers carry no media type: they are tar, or (from some tools) gzip-compressed tar. */
async function legacyLayerMediaType(store: ImageStore, digest: string, path: string): Promise<string> {
  let head: Buffer = Buffer.alloc(0);
  for await (const chunk of store.readBlob(digest)) {
    head = chunk;
    break;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return MediaType.dockerLayerGzip;
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) throw new BerthError('invalid-argument', `layer "${path}" is zstd-compressed, which Docker's archive format does not allow`);
  return MediaType.dockerLayer;
}

/**
 * Labels the image's content for the garbage collector as pull does, and unpacks the platform
 * that will run (or the one asked for). Returns the image ID.
 */
async function prepareImage(store: ImageStore, image: ArchiveImage, lease: string, options: LoadOptions): Promise<string> {
  const { target } = image;
  const shown = image.references[0] ? familiarReference(image.references[0]) : target.digest;
  const bytes = await store.readBlobBytes(target.digest, MAX_DOCUMENT_BYTES).catch((): never => {
    throw new BerthError('invalid-argument', `the archive names image ${shown} (${target.digest}) but does not contain it`);
  });
  const document = parseManifestDocument(bytes, target.mediaType);
  if (document.kind === 'manifest') {
    await labelManifest(store, target.digest, document.manifest, lease);
  } else {
    const children = Object.fromEntries(document.index.manifests.map((child, position) => [`${GC_LABELS.manifestPrefix}${position}`, child.digest]));
    await store.setBlobLabels(target.digest, children, lease);
    // An index saved for one platform holds only that platform's manifest.
    for (const child of document.index.manifests) {
      if (!IMAGE_MANIFEST_MEDIA_TYPES.has(child.mediaType) || !(await store.blobInfo(child.digest))) continue;
      const childDocument = parseManifestDocument(await store.readBlobBytes(child.digest, MAX_DOCUMENT_BYTES), child.mediaType);
      if (childDocument.kind === 'manifest') await labelManifest(store, child.digest, childDocument.manifest, lease);
    }
  }

  const local = await readLocalImage(store, { name: shown, target, labels: {} }, options.platform);
  const wanted = options.platform;
  if (!local) {
    throw new BerthError('not-found', `the archive has no ${wanted ? `${formatPlatform(wanted)} ` : ''}content for image ${shown}`);
  }
  if (wanted && !compatiblePlatforms(wanted).some((platform) => samePlatform(platform, local.platform))) {
    throw new BerthError('not-found', `image ${shown} in the archive is for ${formatPlatform(local.platform)}, not ${formatPlatform(wanted)}`);
  }
  for (const layer of local.manifest.layers) {
    if (!(await store.blobInfo(layer.digest))) throw new BerthError('invalid-argument', `the archive lacks layer ${layer.digest} of image ${shown}`);
  }
  await unpackLayers(store, {
    layers: local.manifest.layers,
    diffIds: local.config.rootfs.diff_ids,
    configDigest: local.configDigest,
    lease,
    onLayer: (layer, event) => {
      if (event === 'extracting') options.onLayer?.(layer.digest);
    },
  });
  return local.configDigest;
}

async function labelManifest(store: ImageStore, digest: string, manifest: ImageManifest, lease: string): Promise<void> {
  const labels: Record<string, string> = { [GC_LABELS.config]: manifest.config.digest };
  manifest.layers.forEach((layer, position) => {
    labels[`${GC_LABELS.layerPrefix}${position}`] = layer.digest;
  });
  await store.setBlobLabels(digest, labels, lease);
}

/**
 * Creates or replaces a record per name (as CRI would, in its namespace). An image without a name gets an untagged record,
 * unless some record already points at it: then it is in the store under a name already.
 */
async function recordImage(store: ImageStore, image: ArchiveImage, configDigest: string): Promise<void> {
  // In Kubernetes' namespace the image's ID record names it even without a tag.
  if (store.criImages) return recordForCri(store, { target: image.target, configDigest, names: image.references.map(String) });
  for (const reference of image.references) {
    const name = reference.toString();
    const existing = await store.getImage(name);
    await store.putImage({ name, target: image.target, labels: existing?.labels ?? {} });
  }
  if (image.references.length > 0) return;
  const named = await store.listImages([`target.digest==${image.target.digest}`]);
  if (named.length === 0) await store.putImage({ name: untaggedImageName(image.target.digest), target: image.target, labels: {} });
}

function archiveReference(name: string): Reference {
  try {
    return parseReference(name);
  } catch (error) {
    throw new BerthError('invalid-argument', `the archive names an image "${name}", which is not a valid reference`, { cause: error });
  }
}

function parseJson<T extends z.ZodMiniType>(schema: T, bytes: Buffer, file: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BerthError('invalid-argument', `invalid ${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = safeParse(schema, value);
  if (!result.success) throw new BerthError('invalid-argument', `invalid ${file}: ${result.error.issues[0]?.message}`);
  return result.data;
}
