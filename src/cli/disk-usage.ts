// `system df`'s inputs: the images with their layers' sizes (src/image and the snapshotter) and
// the containers with their writable layers' sizes (src/runtime), joined by image ID.

import { BerthError } from '../errors.js';
import type { ImageUsageInput, VolumeUsageInput } from '../format/disk-usage.js';
import type { RuntimeContext } from '../runtime/context.js';
import type { ContainerSize } from '../runtime/containers/inspect.js';
import type { ContainerRecord } from '../runtime/containers/record.js';
import { openImageStore } from './image-context.js';

export interface DiskUsageInputs {
  readonly images: ImageUsageInput[];
  readonly containers: ContainerRecord[];
  readonly sizes: Map<string, ContainerSize>;
  /** local volumes without driver options (a mounted device is not local disk), as Docker counts them */
  readonly volumes: VolumeUsageInput[];
}

export async function gatherDiskUsage(runtime: RuntimeContext): Promise<DiskUsageInputs> {
  const store = await openImageStore(runtime);
  const { readLocalImage } = await import('../image/local.js');
  const { parseReference } = await import('../image/reference.js');
  const { familiarReference, isUntaggedImageName } = await import('../image/image-names.js');
  const { listContainers } = await import('../runtime/containers/list.js');
  const { containerSizes } = await import('../runtime/containers/size.js');

  const { volumeUsage } = await import('../runtime/volumes/manage.js');
  const [records, containers, volumeUsages] = await Promise.all([store.listImages(), listContainers(runtime), volumeUsage(runtime)]);
  const volumes = volumeUsages
    .filter((usage) => Object.keys(usage.volume.Options).length === 0)
    .map((usage) => ({ name: usage.volume.Name, links: usage.links, size: usage.size }));
  const sizes = await containerSizes(runtime, containers);
  const layerSize = async (chainId: string): Promise<number | undefined> => {
    try {
      return await store.snapshotUsage(chainId);
    } catch (error) {
      if (error instanceof BerthError && error.category === 'not-found') return undefined;
      throw error;
    }
  };
  // one entry per image ID, whatever the number of its names
  const byId = new Map<string, { tags: string[]; names: Set<string>; created?: Date; layers: { key: string; size: number }[] }>();
  for (const record of records) {
    const image = await readLocalImage(store, record).catch(() => undefined);
    if (!image) continue;
    let entry = byId.get(image.configDigest);
    if (!entry) {
      const sizesOfLayers = await Promise.all(image.chainIds.map(layerSize));
      // not unpacked: the compressed content is what it takes
      const layers = sizesOfLayers.every((size) => size !== undefined)
        ? image.chainIds.map((key, index) => ({ key, size: sizesOfLayers[index]! }))
        : [{ key: image.configDigest, size: image.contentSize }];
      entry = { tags: [], names: new Set(), created: image.config.created ? new Date(image.config.created) : undefined, layers };
      byId.set(image.configDigest, entry);
    }
    entry.names.add(record.name);
    if (!isUntaggedImageName(record.name) && !record.name.includes('@')) {
      try {
        entry.tags.push(familiarReference(parseReference(record.name)));
      } catch {
        // a name no reference grammar accepts shows as <none>
      }
    }
  }
  const images = [...byId].map(([id, entry]) => ({
    id,
    tags: entry.tags.sort(),
    created: entry.created,
    layers: entry.layers,
    containers: containers.filter((record) => record.imageId === id || (record.imageId === '' && entry.names.has(record.container.image))).length,
  }));
  return { images, containers, sizes, volumes };
}
