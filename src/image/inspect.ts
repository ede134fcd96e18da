// `image inspect` and `history`: Docker's shapes, from the stored image.

import { BerthError } from '../errors.js';
import { findImages, readLocalImage, type LocalImage } from './local.js';
import { parseReference } from './reference.js';
import type { ImageStore, StoredImage } from './store.js';

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver: { Data: null; Name: string };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** Docker prints every Config field, with null for what the image leaves out. */
const CONFIG_FIELDS = ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels'];
const CONFIG_DEFAULTS: Record<string, unknown> = { Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Image: '', WorkingDir: '' };

async function unpackedSize(store: ImageStore, image: LocalImage): Promise<number> {
  let total = 0;
  for (const chainId of image.chainIds) total += await store.snapshotUsage(chainId).catch(() => 0);
  return total || image.contentSize;
}

function familiar(record: StoredImage): { repository: string; tag?: string } | undefined {
  try {
    const reference = parseReference(record.name);
    return { repository: reference.familiar, tag: record.name.includes('@') ? undefined : reference.tag };
  } catch {
    return undefined;
  }
}

export async function inspectImage(store: ImageStore, name: string): Promise<ImageInspect> {
  const { records } = await findImages(store, name);
  const image = await readLocalImage(store, records[0]);
  if (!image) throw new BerthError('not-found', `No such image: ${name}`);
  // Every record of the same image contributes its tags and digests, as in Docker.
  const siblings: StoredImage[] = [];
  for (const record of await store.listImages()) {
    if (record.target.digest === image.record.target.digest) siblings.push(record);
    else if ((await readLocalImage(store, record).catch(() => undefined))?.configDigest === image.configDigest) siblings.push(record);
  }
  const repoTags = new Set<string>();
  const repoDigests = new Set<string>();
  let lastTagged = 0;
  for (const record of siblings) {
    const name = familiar(record);
    if (!name) continue;
    if (name.tag) repoTags.add(`${name.repository}:${name.tag}`);
    repoDigests.add(`${name.repository}@${record.target.digest}`);
    lastTagged = Math.max(lastTagged, record.updatedAt?.getTime() ?? 0);
  }
  const imageConfig = (image.config.config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) config[field] = imageConfig[field] ?? CONFIG_DEFAULTS[field] ?? null;
  for (const [field, value] of Object.entries(imageConfig)) if (!(field in config)) config[field] = value;
  return {
    Id: image.configDigest,
    RepoTags: [...repoTags].sort(),
    RepoDigests: [...repoDigests].sort(),
    Parent: '',
    Comment: image.config.history?.at(-1)?.comment ?? '',
    Created: image.config.created ?? '',
    DockerVersion: typeof (image.config as Record<string, unknown>).docker_version === 'string' ? ((image.config as Record<string, unknown>).docker_version as string) : '',
    Author: image.config.author ?? '',
    Config: config,
    Architecture: image.config.architecture,
    ...(image.config.variant ? { Variant: image.config.variant } : {}),
    Os: image.config.os,
    Size: await unpackedSize(store, image),
    GraphDriver: { Data: null, Name: store.snapshotter },
    RootFS: { Type: 'layers', Layers: [...image.config.rootfs.diff_ids] },
    Metadata: { LastTagTime: lastTagged ? new Date(lastTagged).toISOString() : '0001-01-01T00:00:00Z' },
  };
}

export interface HistoryEntry {
  /** the image ID on the newest entry, `<missing>` below it, as Docker shows */
  readonly id: string;
  readonly created?: Date;
  readonly createdBy: string;
  readonly size: number;
  readonly comment: string;
}

export async function imageHistory(store: ImageStore, name: string): Promise<HistoryEntry[]> {
  const { records } = await findImages(store, name);
  const image = await readLocalImage(store, records[0]);
  if (!image) throw new BerthError('not-found', `No such image: ${name}`);
  const history = image.config.history ?? [];
  const entries: HistoryEntry[] = [];
  let layer = 0;
  for (const item of history) {
    let size = 0;
    if (!item.empty_layer && layer < image.chainIds.length) {
      size = await store.snapshotUsage(image.chainIds[layer]).catch(() => image.manifest.layers[layer]?.size ?? 0);
      layer += 1;
    }
    entries.push({ id: '<missing>', created: item.created ? new Date(item.created) : undefined, createdBy: item.created_by ?? '', size, comment: item.comment ?? '' });
  }
  entries.reverse();
  if (entries.length > 0) entries[0] = { ...entries[0], id: image.configDigest };
  return entries;
}
