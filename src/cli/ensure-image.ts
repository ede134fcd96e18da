// `run`/`create` need a local image: found by name or ID, pulled when missing (Docker's
// `--pull missing|always|never`), unpacked when its layers are not in the snapshotter yet.
// Pull progress goes to stderr, as Docker's does, so stdout stays the container's.

import { BerthError, withContext } from '../errors.js';
import type { LocalImage } from '../image/local.js';
import type { Platform } from '../image/platform.js';
import type { ImageStore } from '../image/store.js';
import type { RuntimeContext } from '../runtime/context.js';
import { openImageStore, openRegistry } from './image-context.js';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface EnsureImageOptions {
  readonly name: string;
  readonly pull: PullPolicy;
  readonly platform?: Platform;
  readonly quiet: boolean;
  /**
   * The caller prepares the image's snapshot next and unpacks (unpackImage) only if containerd
   * reports its parent missing: no lookup of the layers on every run.
   */
  readonly unpackOnDemand?: boolean;
}

async function findLocal(store: ImageStore, name: string, platform?: Platform): Promise<LocalImage | undefined> {
  const { findImages, readLocalImage } = await import('../image/local.js');
  let records;
  try {
    records = (await findImages(store, name)).records;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    throw error;
  }
  return readLocalImage(store, records[0], platform);
}

async function pull(runtime: RuntimeContext, store: ImageStore, name: string, options: EnsureImageOptions): Promise<void> {
  const { parseReference } = await import('../image/reference.js');
  const { pullImage } = await import('../image/pull.js');
  const progressModule = await import('../format/pull-progress.js');
  const reference = parseReference(name);
  const registry = await openRegistry(runtime.config, reference.domain);
  const progress = await progressModule.pullProgressFor(options.quiet, process.stderr);
  try {
    const result = await pullImage(store, registry, { reference, platform: options.platform, maxConcurrentDownloads: runtime.config.maxConcurrentDownloads }, progress);
    progress.finish();
    if (!options.quiet) {
      const shown = reference.digest ? `${reference.familiar}@${reference.digest}` : `${reference.familiar}:${reference.tag}`;
      process.stderr.write(`Digest: ${result.digest}\n`);
      process.stderr.write(result.changed ? `Status: Downloaded newer image for ${shown}\n` : `Status: Image is up to date for ${shown}\n`);
    }
  } finally {
    progress.finish();
    await registry.close();
  }
}

async function unpackIfNeeded(store: ImageStore, image: LocalImage): Promise<void> {
  const { isUnpacked } = await import('../image/local.js');
  if (await isUnpacked(store, image)) return;
  const { unpackLayers } = await import('../image/unpack.js');
  await store.withLease((lease) =>
    unpackLayers(store, { layers: image.manifest.layers, diffIds: image.config.rootfs.diff_ids, configDigest: image.configDigest, lease }),
  );
}

/** The image to create a container from; failures exit 125 as Docker's `run` does. */
export async function ensureImage(runtime: RuntimeContext, options: EnsureImageOptions): Promise<LocalImage> {
  const store = await openImageStore(runtime);
  try {
    let image = options.pull === 'always' ? undefined : await findLocal(store, options.name, options.platform);
    if (!image) {
      if (options.pull === 'never') {
        throw new BerthError('not-found', `No such image: ${options.name}`);
      }
      if (options.pull === 'missing' && !options.quiet) process.stderr.write(`Unable to find image '${options.name}' locally\n`);
      await pull(runtime, store, options.name, options);
      image = await findLocal(store, options.name, options.platform);
      if (!image) throw new BerthError('not-found', `No such image: ${options.name}`);
    }
    if (!options.unpackOnDemand) await unpackIfNeeded(store, image);
    return image;
  } catch (error) {
    throw as125(options.name, error);
  }
}

/** Unpacks the layers of a local image that are not in the snapshotter (EnsureImageOptions.unpackOnDemand). */
export async function unpackImage(runtime: RuntimeContext, image: LocalImage): Promise<void> {
  try {
    await unpackIfNeeded(await openImageStore(runtime), image);
  } catch (error) {
    throw as125(image.record.name, error);
  }
}

function as125(name: string, error: unknown): BerthError {
  const failed = error instanceof BerthError ? error : withContext(`image ${name}`, error);
  return new BerthError(failed.category, failed.message, { cause: failed.cause ?? failed, exitCode: 125 });
}
