// containerd's garbage-collection and provenance labels on content, in one place.

import type { Reference } from './reference.js';

export const GC_LABELS = {
  /** on an index: gc.ref.content.m.<i> = child manifest */
  manifestPrefix: 'containerd.io/gc.ref.content.m.',
  /** on a manifest: its config */
  config: 'containerd.io/gc.ref.content.config',
  /** on a manifest: gc.ref.content.l.<i> = layer i */
  layerPrefix: 'containerd.io/gc.ref.content.l.',
  /** on a config: gc.ref.snapshot.<snapshotter> = top chain ID */
  snapshotPrefix: 'containerd.io/gc.ref.snapshot.',
  /** on a compressed layer: its diff ID */
  uncompressed: 'containerd.io/uncompressed',
} as const;

/** `containerd.io/distribution.source.<host>` = repository: where a blob can be fetched again (or mounted from, on push). */
export function distributionSourceLabel(reference: Reference): Record<string, string> {
  const host = reference.domain.replace(/:\d+$/, '');
  return { [`containerd.io/distribution.source.${host}`]: reference.path };
}
