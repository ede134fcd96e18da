// `berth images`: one row per image record (in Kubernetes' namespace, per image name: see
// cri-records.ts), with what Docker shows for it, and Docker's filters.

import { BerthError, usageError } from '../errors.js';
import { parseFilterArgs } from '../filter-args.js';
import { findImages, readLocalImage, type LocalImage } from './local.js';
import { formatPlatform } from './platform.js';
import { rowPerImage, rowPerRecord } from './cri-records.js';
import { parseReference } from './reference.js';
import type { ImageStore, StoredImage } from './store.js';

export interface ImageRow {
  /** familiar repository name, `<none>` for an untagged image */
  readonly repository: string;
  readonly tag: string;
  /** manifest (or index) digest the record points at */
  readonly digest: string;
  readonly configDigest: string;
  readonly created?: Date;
  /** bytes unpacked in the snapshotter; the compressed content size when not unpacked */
  readonly size: number;
  /** compressed size of the image's blobs */
  readonly blobSize: number;
  readonly platform: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly name: string;
}

export interface ImageFilters {
  readonly reference: readonly string[];
  readonly dangling?: boolean;
  readonly labels: readonly string[];
  readonly before?: string;
  readonly since?: string;
}

const IMAGE_FILTER_KEYS = new Set(['reference', 'label', 'before', 'since', 'dangling']);

export function parseImageFilters(values: readonly string[]): ImageFilters {
  const reference: string[] = [];
  const labels: string[] = [];
  let dangling: boolean | undefined;
  const filters = parseFilterArgs(values, IMAGE_FILTER_KEYS);
  reference.push(...(filters.get('reference') ?? []));
  labels.push(...(filters.get('label') ?? []));
  const before = filters.get('before')?.at(-1);
  const since = filters.get('since')?.at(-1);
  for (const argument of filters.get('dangling') ?? []) {
    if (!['true', 'false', '1', '0'].includes(argument.toLowerCase())) throw usageError(`invalid filter 'dangling=${argument}'`);
    dangling = ['true', '1'].includes(argument.toLowerCase());
  }
  return { reference, dangling, labels, before, since };
}

/** Docker's `reference=` patterns: path.Match globs (`*` stops at `/`) on the familiar name, with or without the tag. */
function globMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(text);
}

async function unpackedSize(store: ImageStore, image: LocalImage): Promise<number | undefined> {
  let total = 0;
  for (const chainId of image.chainIds) {
    try {
      total += await store.snapshotUsage(chainId);
    } catch (error) {
      if (error instanceof BerthError && error.category === 'not-found') return undefined;
      throw error;
    }
  }
  return total;
}

export interface ListOptions {
  /** `REPOSITORY[:TAG]` argument */
  readonly repository?: string;
  /** rows show digests (`--digests`): an image known only by digests gets a row per digest */
  readonly digests?: boolean;
  /** one row per containerd image record even where CRI keeps several per image (`--all-records`) */
  readonly allRecords?: boolean;
}

export async function listImages(store: ImageStore, filters: ImageFilters, options: ListOptions = {}): Promise<ImageRow[]> {
  const records = await store.listImages();
  const locals = new Map<string, Promise<LocalImage | undefined>>();
  const local = (record: StoredImage) => {
    if (!locals.has(record.target.digest)) locals.set(record.target.digest, readLocalImage(store, record).catch(() => undefined));
    return locals.get(record.target.digest)!;
  };
  const present: { name: string; configDigest: string; targetDigest: string; image: LocalImage }[] = [];
  for (const record of records) {
    const image = await local(record);
    // content of no platform is here (e.g. a half-deleted image)
    if (image) present.push({ name: record.name, configDigest: image.configDigest, targetDigest: record.target.digest, image });
  }
  const named = store.criImages && !options.allRecords ? rowPerImage(present, { digests: options.digests === true }) : rowPerRecord(present);
  const sizes = new Map<string, Promise<number | undefined>>();
  const rows: ImageRow[] = [];
  for (const { repository, tag, digest, record } of named) {
    const { image } = record;
    if (!sizes.has(image.configDigest)) sizes.set(image.configDigest, unpackedSize(store, image));
    rows.push({
      repository,
      tag,
      digest,
      configDigest: image.configDigest,
      created: image.config.created ? new Date(image.config.created) : undefined,
      size: (await sizes.get(image.configDigest)!) ?? image.contentSize,
      blobSize: image.contentSize,
      platform: formatPlatform(image.platform),
      labels: image.config.config?.Labels ?? {},
      name: record.name,
    });
  }
  const createdOf = async (name: string): Promise<number> => {
    const { records: found } = await findImages(store, name);
    const image = await local(found[0]);
    return image?.config.created ? new Date(image.config.created).getTime() : 0;
  };
  const before = filters.before === undefined ? undefined : await createdOf(filters.before);
  const since = filters.since === undefined ? undefined : await createdOf(filters.since);
  const selected = rows.filter((row) => {
    const name = row.tag === '<none>' ? row.repository : `${row.repository}:${row.tag}`;
    if (options.repository !== undefined && !matchesArgument(options.repository, row)) return false;
    if (filters.reference.length > 0 && !filters.reference.some((pattern) => globMatches(pattern, row.repository) || globMatches(pattern, name))) return false;
    if (filters.dangling !== undefined && (row.tag === '<none>') !== filters.dangling) return false;
    for (const label of filters.labels) {
      const equals = label.indexOf('=');
      const key = equals === -1 ? label : label.slice(0, equals);
      if (!(key in row.labels)) return false;
      if (equals !== -1 && row.labels[key] !== label.slice(equals + 1)) return false;
    }
    const created = row.created?.getTime() ?? 0;
    if (before !== undefined && created >= before) return false;
    if (since !== undefined && created <= since) return false;
    return true;
  });
  return selected.sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

/** `berth images busybox` / `busybox:1.36`: the repository, and the tag when one is given. */
function matchesArgument(argument: string, row: ImageRow): boolean {
  const reference = parseReference(argument);
  if (reference.familiar !== row.repository) return false;
  const explicitTag = /:[^/]+$/.test(argument.split('@')[0]);
  return !explicitTag || reference.tag === row.tag;
}
