// What `events` says about an image: berth's image ID, its familiar name and its labels, read
// from the image store (the events stream in src/runtime cannot read images itself).

import type { RuntimeContext } from '../runtime/context.js';
import type { ImageFacts } from '../runtime/events/docker-events.js';
import type { StoredImage } from '../image/store.js';
import { openImageStore } from './image-context.js';

export async function eventImages(runtime: RuntimeContext): Promise<{ image(name: string): Promise<ImageFacts | undefined>; images(): Promise<Map<string, ImageFacts>> }> {
  const store = await openImageStore(runtime);
  const { readLocalImage } = await import('../image/local.js');
  const { parseReference } = await import('../image/reference.js');
  const { familiarReference, isUntaggedImageName } = await import('../image/image-names.js');

  const factsOf = async (record: StoredImage): Promise<ImageFacts> => {
    const image = await readLocalImage(store, record).catch(() => undefined);
    const facts = { id: image?.configDigest ?? record.target.digest, labels: image?.config.config?.Labels ?? {} };
    if (isUntaggedImageName(record.name)) return facts;
    try {
      const reference = parseReference(record.name);
      return { ...facts, reference: familiarReference(reference), repository: reference.familiar };
    } catch {
      return { ...facts, reference: record.name, repository: record.name };
    }
  };
  return {
    image: async (name) => {
      const record = await store.getImage(name);
      return record ? factsOf(record) : undefined;
    },
    images: async () => {
      const records = await store.listImages();
      return new Map(await Promise.all(records.map(async (record) => [record.name, await factsOf(record)] as const)));
    },
  };
}
