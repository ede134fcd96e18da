// `berth import`: a root filesystem tarball (plain or gzip) as a one-layer image. The tarball is
// read once: its uncompressed bytes give the layer's diff ID, pass a tar parser (what is not a
// tarball is refused before anything is stored) and are gzip-compressed into a temporary file,
// whose digest is the layer's. Then layer, config and manifest go into the content store under a
// lease, the layer is unpacked (so the image runs) and the image is recorded.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { withContext } from '../../errors.js';
import { applyChanges } from '../config-changes.js';
import { untaggedImageName } from '../image-names.js';
import { GC_LABELS } from '../labels.js';
import { MediaType } from '../media-types.js';
import { hostPlatform, type Platform } from '../platform.js';
import type { Reference } from '../reference.js';
import type { ImageStore, OpenSource } from '../store.js';
import { recordForCri } from '../cri-records.js';
import { unpackLayers } from '../unpack.js';
import { bytesSource, DigestingStream, putBlob, sha256Digest } from './blobs.js';
import { openSource, type ArchiveSource } from './files.js';
import { decompressed, tarCheck } from './tar-read.js';

export interface ImportOptions {
  /** the image's name; without one the image is untagged */
  readonly reference?: Reference;
  /** Dockerfile instructions for the config (see config-changes.ts) */
  readonly changes: readonly string[];
  /** the history entry's comment */
  readonly message?: string;
  /** default: the host's */
  readonly platform?: Platform;
}

export interface ImportResult {
  /** the image ID */
  readonly configDigest: string;
  /** the image record's name */
  readonly name: string;
}

interface CompressedLayer {
  readonly diffId: string;
  readonly digest: string;
  readonly size: number;
}

export async function importImage(store: ImageStore, source: ArchiveSource, options: ImportOptions): Promise<ImportResult> {
  // Bad --change values are usage errors, found before any input is read.
  const containerConfig = applyChanges(options.changes);
  const sourceName = 'file' in source ? source.file : '-';
  const input = await openSource(source);
  const spool = await mkdtemp(join(tmpdir(), 'berth-import-'));
  try {
    const layerFile = join(spool, 'layer.tar.gz');
    const layer = await compressLayer(input, layerFile).catch((error: unknown) => {
      throw withContext(`importing ${sourceName === '-' ? 'from stdin' : `"${sourceName}"`}`, error);
    });
    const created = new Date().toISOString();
    const platform = options.platform ?? hostPlatform();
    const config = {
      created,
      architecture: platform.architecture,
      ...(platform.variant === undefined ? {} : { variant: platform.variant }),
      os: platform.os,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, created_by: `Imported from ${sourceName}`, ...(options.message ? { comment: options.message } : {}) }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDescriptor = { mediaType: MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length };
    const layerDescriptor = { mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size };
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: configDescriptor, layers: [layerDescriptor] }));
    const target = { mediaType: MediaType.ociManifest, digest: sha256Digest(manifestBytes), size: manifestBytes.length };

    return await store.withLease(async (lease) => {
      const layerSource: OpenSource = async () => ({ stream: createReadStream(layerFile), resumed: false });
      await putBlob(store, { ...layerDescriptor, ref: `import-${layer.digest}`, lease }, layerSource, 'the imported layer');
      await putBlob(store, { ...configDescriptor, ref: `import-${configDescriptor.digest}`, lease }, bytesSource(configBytes), 'the image config');
      await unpackLayers(store, { layers: [layerDescriptor], diffIds: [layer.diffId], configDigest: configDescriptor.digest, lease });
      const labels = { [GC_LABELS.config]: configDescriptor.digest, [`${GC_LABELS.layerPrefix}0`]: layer.digest };
      await putBlob(store, { ...target, ref: `import-${target.digest}`, labels, lease }, bytesSource(manifestBytes), 'the image manifest');
      if (store.criImages) {
        const names = options.reference ? [options.reference.toString()] : [];
        await recordForCri(store, { target, configDigest: configDescriptor.digest, names });
        return { configDigest: configDescriptor.digest, name: names[0] ?? configDescriptor.digest };
      }
      const name = options.reference?.toString() ?? untaggedImageName(target.digest);
      const existing = await store.getImage(name);
      await store.putImage({ name, target, labels: existing?.labels ?? {} });
      return { configDigest: configDescriptor.digest, name };
    });
  } finally {
    input.destroy();
    await rm(spool, { recursive: true, force: true });
  }
}

/** Streams the (decompressed) tarball through the tar check and gzip into `file`, hashing both sides. */
async function compressLayer(input: Readable, file: string): Promise<CompressedLayer> {
  const uncompressed = createHash('sha256');
  const check = tarCheck();
  const gzip = createGzip();
  const compressed = new DigestingStream();
  const written = pipeline(gzip, compressed, createWriteStream(file));
  try {
    for await (const chunk of decompressed(input)) {
      uncompressed.update(chunk);
      await check.write(chunk);
      if (!gzip.write(chunk)) await once(gzip, 'drain');
    }
    await check.end();
    gzip.end();
    await written;
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    throw error;
  }
  return { diffId: `sha256:${uncompressed.digest('hex')}`, digest: compressed.digest(), size: compressed.size };
}
