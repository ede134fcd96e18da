// Unpacking an image's layers into the snapshotter, bottom up, each layer as soon as it is
// ready (downloaded or loaded), skipping chains that already exist; then the GC labels that
// keep the snapshots alive for as long as the image's config is.

import { BerthError } from '../errors.js';
import { chainIds } from './layers.js';
import { GC_LABELS } from './labels.js';
import type { Descriptor } from './manifest.js';
import type { ImageStore } from './store.js';

export interface UnpackOptions {
  readonly layers: readonly Descriptor[];
  readonly diffIds: readonly string[];
  readonly configDigest: string;
  readonly lease: string;
  /** resolves when layer i's blob is in the content store */
  readonly ready?: (position: number) => Promise<unknown>;
  readonly onLayer?: (layer: Descriptor, event: 'extracting' | 'unpacked' | 'present') => void;
}

/** Returns whether any layer had to be unpacked. */
export async function unpackLayers(store: ImageStore, options: UnpackOptions): Promise<boolean> {
  const { layers, diffIds, lease } = options;
  if (diffIds.length !== layers.length) {
    throw new BerthError('invalid-argument', `image config ${options.configDigest} lists ${diffIds.length} layers, its manifest ${layers.length}`);
  }
  const chain = chainIds(diffIds);
  let changed = false;
  for (const [position, layer] of layers.entries()) {
    await options.ready?.(position);
    if (await store.snapshotExists(chain[position])) {
      options.onLayer?.(layer, 'present');
    } else {
      options.onLayer?.(layer, 'extracting');
      const result = await store.unpackLayer({
        chainId: chain[position],
        parent: position === 0 ? '' : chain[position - 1],
        layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size, annotations: layer.annotations ?? undefined },
        expectedDiffId: diffIds[position],
        lease,
      });
      changed ||= result === 'unpacked';
      options.onLayer?.(layer, result);
    }
    await store.setBlobLabels(layer.digest, { [GC_LABELS.uncompressed]: diffIds[position] }, lease);
  }
  if (chain.length > 0) {
    await store.setBlobLabels(options.configDigest, { [`${GC_LABELS.snapshotPrefix}${store.snapshotter}`]: chain[chain.length - 1] }, lease);
  }
  return changed;
}
