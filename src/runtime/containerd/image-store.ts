// The ImageStore that src/image works against, on containerd's content, snapshot, diff,
// image and lease services.

import { BerthError } from '../../errors.js';
import type { Ingest, ImageStore, StoredImage } from '../../image/store.js';
import type { ContainerdClient } from './client.js';
import { abortIngest, blobInfo, readBlob, readBlobBytes, setBlobLabels, writeBlob } from './content.js';
import { adoptAbandonedLeases, withLease } from './leases.js';
import { snapshotExists, unpackLayer } from './snapshots.js';
import { criContainerMetadata } from '../containers/kubernetes.js';
import { KUBERNETES_NAMESPACE } from '../namespaces.js';
import { timestampToDate, type Container, type Image } from './types.js';

function toStoredImage(image: Image): StoredImage {
  const target = image.target;
  return {
    name: image.name,
    target: { mediaType: target?.media_type ?? '', digest: target?.digest ?? '', size: Number(target?.size ?? 0) },
    labels: image.labels,
    createdAt: timestampToDate(image.created_at),
    updatedAt: timestampToDate(image.updated_at),
  };
}

export function containerdImageStore(client: ContainerdClient, snapshotter: string): ImageStore {
  return {
    namespace: client.namespace,
    snapshotter,
    criImages: client.namespace === KUBERNETES_NAMESPACE,
    withLease: (work) =>
      withLease(client, async (lease) => {
        await adoptAbandonedLeases(client, lease);
        return work(lease);
      }),
    blobInfo: (digest) => blobInfo(client, digest),
    writeBlob: (target, open, onProgress) => writeBlob(client, target, open, onProgress),
    readBlob: (digest, offset) => readBlob(client, digest, offset),
    readBlobBytes: (digest, limit) => readBlobBytes(client, digest, limit),
    setBlobLabels: (digest, labels, lease) => setBlobLabels(client, digest, labels, lease),
    deleteBlob: async (digest) => {
      await client.unary('content', 'Delete', { digest });
    },
    listIngests: async () => {
      const { statuses } = await client.unary<{ statuses: { ref: string; offset: string; total: string }[] }>('content', 'ListStatuses', { filters: [] });
      return statuses.map((status): Ingest => ({ ref: status.ref, offset: Number(status.offset), total: Number(status.total) }));
    },
    abortIngest: (ref) => abortIngest(client, ref),
    snapshotExists: (key) => snapshotExists(client, snapshotter, key),
    snapshotUsage: async (key) => Number((await client.unary<{ size: string }>('snapshots', 'Usage', { snapshotter, key })).size),
    unpackLayer: (options) => unpackLayer(client, { snapshotter, ...options }),
    getImage: async (name) => {
      try {
        const { image } = await client.unary<{ image: Image }>('images', 'Get', { name });
        return toStoredImage(image);
      } catch (error) {
        if (error instanceof BerthError && error.category === 'not-found') return undefined;
        throw error;
      }
    },
    listImages: async (filters = []) => {
      const { images } = await client.unary<{ images: Image[] }>('images', 'List', { filters });
      return images.map(toStoredImage);
    },
    putImage: async (image) => {
      const record = {
        name: image.name,
        labels: image.labels,
        target: { media_type: image.target.mediaType, digest: image.target.digest, size: String(image.target.size), annotations: {} },
      };
      try {
        await client.unary('images', 'Create', { image: record });
      } catch (error) {
        if (!(error instanceof BerthError && error.category === 'already-exists')) throw error;
        await client.unary('images', 'Update', { image: record, update_mask: { paths: ['target', 'labels'] } });
      }
    },
    deleteImage: async (name, options = {}) => {
      await client.unary('images', 'Delete', { name, sync: options.sync ?? false });
    },
    contentSize: async () => {
      let total = 0;
      for (const message of await client.collect<{ info: { size: string }[] }>('content', 'List', { filters: [] })) {
        for (const info of message.info) total += Number(info.size);
      }
      return total;
    },
    containerImages: async () => {
      const containers = await client.collect<{ container: Container }>('containers', 'ListStream', { filters: [] });
      return containers.map(({ container }) => ({ id: container.id, image: container.image, imageId: criContainerMetadata(container)?.imageRef || undefined }));
    },
  };
}
