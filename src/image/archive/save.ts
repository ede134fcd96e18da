// `berth save`: images as one tar archive in the layout `docker save` writes since Docker 25, so
// that `docker load` (old and new), `berth load`, `ctr import` and OCI tools all read it. Each
// image is saved as one platform's manifest, the one berth would run; blobs are streamed from
// containerd's content store straight into the archive.

import { BerthError } from '../../errors.js';
import { findImages, readLocalImage, type LocalImage } from '../local.js';
import type { Descriptor } from '../manifest.js';
import { MediaType } from '../media-types.js';
import { compatiblePlatforms, formatPlatform, samePlatform, type Platform } from '../platform.js';
import { parseReference, type Reference } from '../reference.js';
import type { ImageStore } from '../store.js';
import { openDestination, type ArchiveDestination } from './files.js';
import { ANNOTATIONS, blobPath, LAYOUT_FILES, OCI_LAYOUT_VERSION, type DockerManifest } from './layout.js';
import { TarWriter } from './tar-write.js';

export interface SaveOptions {
  /** as the user typed them: references or image IDs */
  readonly names: readonly string[];
  /** default: the host's platform, else the platform whose content is present */
  readonly platform?: Platform;
}

interface ImageToSave {
  readonly image: LocalImage;
  /** the references it is saved under; none when it was named by ID, as with Docker */
  readonly references: Reference[];
}

export async function saveImages(store: ImageStore, options: SaveOptions, destination: ArchiveDestination): Promise<void> {
  // Everything is looked up before the first byte is written: a missing image leaves no archive.
  const images = await imagesToSave(store, options);
  const blobs = await blobsOf(store, images);
  const output = await openDestination(destination);
  try {
    const tar = new TarWriter(output.stream);
    await tar.directory('blobs');
    for (const algorithm of new Set(blobs.map((blob) => blob.digest.split(':')[0]))) await tar.directory(`blobs/${algorithm}`);
    for (const blob of blobs) await tar.stream(blobPath(blob.digest), blob.size, store.readBlob(blob.digest));
    await tar.file(LAYOUT_FILES.index, json(ociIndex(images)));
    await tar.file(LAYOUT_FILES.dockerManifest, json(dockerManifest(images)));
    await tar.file(LAYOUT_FILES.ociLayout, json({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
    const repositories = legacyRepositories(images);
    if (Object.keys(repositories).length > 0) await tar.file(LAYOUT_FILES.repositories, json(repositories));
    await tar.finish();
    await output.commit();
  } catch (error) {
    await output.discard();
    throw error;
  }
}

/** One entry per manifest: naming an image twice (or by two tags) saves its content once. */
async function imagesToSave(store: ImageStore, options: SaveOptions): Promise<ImageToSave[]> {
  const byManifest = new Map<string, ImageToSave>();
  for (const name of options.names) {
    const { records, byId } = await findImages(store, name);
    const image = await readLocalImage(store, records[0], options.platform);
    if (!image) {
      const what = options.platform ? `content for ${formatPlatform(options.platform)}` : 'content';
      throw new BerthError('not-found', `image "${name}" has no ${what} in the content store`);
    }
    // readLocalImage picks a platform only out of an index; a single manifest is what it is.
    if (options.platform && !compatiblePlatforms(options.platform).some((platform) => samePlatform(platform, image.platform))) {
      throw new BerthError('not-found', `image "${name}" is for ${formatPlatform(image.platform)}, not ${formatPlatform(options.platform)}`);
    }
    const key = image.manifestDescriptor.digest;
    const entry = byManifest.get(key) ?? { image, references: [] };
    byManifest.set(key, entry);
    if (!byId) {
      const reference = parseReference(records[0].name);
      if (!entry.references.some((known) => known.toString() === reference.toString())) entry.references.push(reference);
    }
  }
  return [...byManifest.values()];
}

/** Every blob once, in the order the images need them; all must be in the content store. */
async function blobsOf(store: ImageStore, images: readonly ImageToSave[]): Promise<{ digest: string; size: number }[]> {
  const blobs = new Map<string, { digest: string; size: number }>();
  for (const { image } of images) {
    const wanted: [string, Descriptor][] = [
      ['manifest', image.manifestDescriptor],
      ['config', image.manifest.config],
      ...image.manifest.layers.map((layer): [string, Descriptor] => ['layer', layer]),
    ];
    for (const [kind, descriptor] of wanted) {
      if (blobs.has(descriptor.digest)) continue;
      const info = await store.blobInfo(descriptor.digest);
      if (!info) throw new BerthError('not-found', `image "${image.record.name}": ${kind} ${descriptor.digest} is not in the content store`);
      if (info.size !== descriptor.size) {
        throw new BerthError('invalid-argument', `image "${image.record.name}": ${kind} ${descriptor.digest} is ${info.size} bytes, its descriptor says ${descriptor.size}`);
      }
      blobs.set(descriptor.digest, { digest: descriptor.digest, size: descriptor.size });
    }
  }
  return [...blobs.values()];
}

/** index.json: one descriptor per reference, named as containerd and Docker name them. */
function ociIndex(images: readonly ImageToSave[]) {
  const manifests = images.flatMap(({ image, references }) => {
    const descriptor = {
      mediaType: image.manifestDescriptor.mediaType,
      digest: image.manifestDescriptor.digest,
      size: image.manifestDescriptor.size,
      platform: image.platform,
    };
    if (references.length === 0) return [descriptor];
    return references.map((reference) => ({
      ...descriptor,
      annotations: {
        [ANNOTATIONS.imageName]: reference.toString(),
        ...(reference.tag === undefined ? {} : { [ANNOTATIONS.refName]: reference.tag }),
      },
    }));
  });
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
}

function dockerManifest(images: readonly ImageToSave[]): DockerManifest {
  return images.map(({ image, references }) => {
    const tags = references.filter((reference) => reference.tag !== undefined).map((reference) => `${reference.familiar}:${reference.tag}`);
    return {
      Config: blobPath(image.configDigest),
      RepoTags: tags.length > 0 ? tags : null,
      Layers: image.manifest.layers.map((layer) => blobPath(layer.digest)),
    };
  });
}

/** The pre-1.10 `repositories` file: repository → tag → image ID. */
function legacyRepositories(images: readonly ImageToSave[]): Record<string, Record<string, string>> {
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, references } of images) {
    for (const reference of references) {
      if (reference.tag === undefined) continue;
      repositories[reference.familiar] = { ...repositories[reference.familiar], [reference.tag]: image.configDigest.replace(/^[^:]+:/, '') };
    }
  }
  return repositories;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
