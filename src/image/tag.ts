// `berth tag`: a second name for an image that is already here. containerd's image records are
// names pointing at a descriptor, so tagging is writing a record with the source's target.

import { BerthError } from '../errors.js';
import { recordForCri } from './cri-records.js';
import { findImages, readLocalImage } from './local.js';
import type { Reference } from './reference.js';
import type { ImageStore } from './store.js';

/**
 * Points `target` at the image `source` names (a reference, an image ID or a prefix of one),
 * replacing what `target` pointed at before.
 */
export async function tagImage(store: ImageStore, source: string, target: Reference): Promise<void> {
  // Docker refuses this too: a digest names content, it cannot be made to point elsewhere.
  if (target.digest !== undefined) throw new BerthError('usage', 'refusing to create a tag with a digest reference');
  const { records } = await findImages(store, source);
  // Records found by ID all hold the same image (same config), so any of them will do.
  const [record] = records;
  // The labels go along as Docker's containerd store does, so the new name describes the same image.
  if (store.criImages) {
    const image = await readLocalImage(store, record);
    if (!image) throw new BerthError('not-found', `No such image: ${source}`);
    await recordForCri(store, { target: record.target, configDigest: image.configDigest, names: [target.toString()], labels: record.labels });
    return;
  }
  await store.putImage({ name: target.toString(), target: record.target, labels: record.labels });
}
