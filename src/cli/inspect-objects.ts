// What `container inspect` and `inspect` print for each name: containers resolved against one
// listing up front, images looked up by name, as Docker's generic inspect tries them in turn.

import { BerthError, usageError } from '../errors.js';
import type { ImageStore } from '../image/store.js';
import type { RuntimeContext } from '../runtime/context.js';
import { openImageStore } from './image-context.js';

export type Inspector = (ref: string) => Promise<unknown>;

/** Docker's object types for `inspect --type`; berth has containers, images and volumes so far. */
const DOCKER_TYPES = new Set(['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume']);

export async function containerInspector(runtime: RuntimeContext, refs: readonly string[], options: { size: boolean }): Promise<Inspector> {
  const { findContainers } = await import('../runtime/containers/find.js');
  const { imageConfigOf, inspectContainer } = await import('../runtime/containers/inspect.js');
  const found = new Map((await findContainers(runtime, refs)).map((entry) => [entry.ref, entry]));
  let store: Promise<ImageStore> | undefined;
  return async (ref) => {
    const entry = found.get(ref)!;
    if ('error' in entry) throw entry.error;
    store ??= openImageStore(runtime);
    const imageConfig = await imageConfigOf(await store, entry.record.container).catch(() => undefined);
    return inspectContainer(runtime, entry.record, { size: options.size, imageConfig });
  };
}

export async function objectInspector(runtime: RuntimeContext, refs: readonly string[], options: { size: boolean; type?: string }): Promise<Inspector> {
  const type = options.type;
  if (type !== undefined && !DOCKER_TYPES.has(type)) throw usageError(`"${type}" is not a valid value for --type`);
  if (type !== undefined && type !== 'container' && type !== 'image' && type !== 'volume') {
    throw new BerthError('not-implemented', `berth has no ${type} objects yet: --type ${type} is not supported`);
  }
  const volume = async (ref: string): Promise<unknown> => {
    const { getVolume } = await import('../runtime/volumes/store.js');
    return getVolume(runtime, ref);
  };
  if (type === 'volume') return volume;
  const images = async (): Promise<Inspector> => {
    const { inspectImage } = await import('../image/inspect.js');
    const store = await openImageStore(runtime);
    return (ref) => inspectImage(store, ref);
  };
  if (type === 'container') return containerInspector(runtime, refs, options);
  if (type === 'image') return images();
  const container = await containerInspector(runtime, refs, options);
  let image: Inspector | undefined;
  return async (ref) => {
    try {
      return await container(ref);
    } catch (error) {
      if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
    }
    image ??= await images();
    try {
      return await image(ref);
    } catch (error) {
      // a name that cannot be an image reference is no image either
      if (!(error instanceof BerthError && (error.category === 'not-found' || error.category === 'usage'))) throw error;
    }
    try {
      return await volume(ref);
    } catch (error) {
      if (error instanceof BerthError && error.category === 'not-found') throw new BerthError('not-found', `No such object: ${ref}`);
      throw error;
    }
  };
}
