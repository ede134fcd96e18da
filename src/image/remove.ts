// `rmi` and `image prune`: untag records, and delete an image once its last name is gone,
// with Docker's conflicts (an image in use, an ID with several names) unless forced.

import { BerthError, usageError } from '../errors.js';
import { criCompanions, isImageIdName } from './cri-records.js';
import { findImages, readLocalImage, shortImageId } from './local.js';
import { parseReference } from './reference.js';
import type { ImageStore, StoredImage } from './store.js';

export interface RemovalLine {
  readonly action: 'Untagged' | 'Deleted';
  readonly subject: string;
}

interface Catalogue {
  readonly records: StoredImage[];
  readonly configOf: Map<string, string | undefined>;
  readonly containers: { readonly id: string; readonly image: string; readonly imageId?: string }[];
}

async function catalogue(store: ImageStore): Promise<Catalogue> {
  const records = await store.listImages();
  const configOf = new Map<string, string | undefined>();
  for (const record of records) {
    if (!configOf.has(record.target.digest)) configOf.set(record.target.digest, (await readLocalImage(store, record).catch(() => undefined))?.configDigest);
  }
  return { records, configOf, containers: await store.containerImages() };
}

function familiarName(record: StoredImage): string {
  try {
    const reference = parseReference(record.name);
    return record.name.includes('@') ? `${reference.familiar}@${reference.digest}` : `${reference.familiar}:${reference.tag}`;
  } catch {
    return record.name;
  }
}

function repositoryOf(record: StoredImage): string {
  try {
    return parseReference(record.name).name;
  } catch {
    return record.name;
  }
}

function configOfRecord(known: Catalogue, record: StoredImage): string | undefined {
  return known.configOf.get(record.target.digest);
}

/** Deletes records; when the image loses its last name, also its content (GC runs before returning). */
async function deleteRecords(store: ImageStore, known: Catalogue, doomed: StoredImage[]): Promise<RemovalLine[]> {
  const lines: RemovalLine[] = [];
  const config = configOfRecord(known, doomed[0]);
  const remaining = known.records.filter((record) => !doomed.includes(record) && (record.target.digest === doomed[0].target.digest || (config !== undefined && configOfRecord(known, record) === config)));
  for (const [position, record] of doomed.entries()) {
    const last = position === doomed.length - 1 && remaining.length === 0;
    await store.deleteImage(record.name, { sync: last });
    // CRI's ID record is no name a user gave: Docker has nothing to untag there
    if (!isImageIdName(record.name)) lines.push({ action: 'Untagged', subject: familiarName(record) });
    known.records.splice(known.records.indexOf(record), 1);
  }
  if (remaining.length === 0) lines.push({ action: 'Deleted', subject: config ?? doomed[0].target.digest });
  return lines;
}

export async function removeImage(store: ImageStore, name: string, options: { force: boolean }): Promise<RemovalLine[]> {
  const { records, byId } = await findImages(store, name);
  const known = await catalogue(store);
  const config = configOfRecord(known, records[0]);
  const shortId = config ? shortImageId(config) : name;
  const sameImage = known.records.filter((record) => config !== undefined && configOfRecord(known, record) === config);
  const named = records.map((record) => known.records.find((candidate) => candidate.name === record.name) ?? record);
  const doomed = byId ? sameImage : [...named, ...criCompanionsOf(store, known, sameImage, named)];
  const names = new Set(doomed.map((record) => record.name));
  // CRI's containers name no image, only its ID: they hold it only while it still exists
  const imageGoes = sameImage.every((record) => names.has(record.name));
  const user = known.containers.find((container) => names.has(container.image) || (imageGoes && config !== undefined && container.imageId === config));
  if (!options.force && user) {
    throw new BerthError('failed-precondition', byId
      ? `conflict: unable to delete ${shortId} (must be forced) - image is being used by container ${user.id.slice(0, 12)}`
      : `conflict: unable to remove repository reference "${name}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${shortId}`);
  }
  if (byId) {
    const repositories = new Set(sameImage.filter((record) => !isImageIdName(record.name)).map((record) => repositoryOf(record)));
    if (!options.force && repositories.size > 1) {
      throw new BerthError('failed-precondition', `conflict: unable to delete ${shortId} (must be forced) - image is referenced in multiple repositories`);
    }
  }
  return deleteRecords(store, known, doomed);
}

/** In Kubernetes' namespace, the records CRI keeps beside the names being removed (see criCompanions). */
function criCompanionsOf(store: ImageStore, known: Catalogue, sameImage: StoredImage[], named: StoredImage[]): StoredImage[] {
  if (!store.criImages) return [];
  const withConfig = (record: StoredImage) => ({ name: record.name, targetDigest: record.target.digest, configDigest: configOfRecord(known, record) ?? record.target.digest, record });
  return criCompanions(sameImage.map(withConfig), named.map(withConfig)).map((entry) => entry.record);
}

/** Docker's `Deleted Images:` block of a prune's output (empty when nothing went), blank line included. */
export function deletedImagesText(lines: readonly RemovalLine[]): string {
  if (lines.length === 0) return '';
  return ['Deleted Images:', ...lines.map((line) => `${line.action.toLowerCase()}: ${line.subject}`), '', ''].join('\n');
}

export interface PruneOptions {
  readonly all: boolean;
  readonly filters: readonly string[];
}

function parseUntil(value: string): number {
  const duration = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(value);
  if (duration) return Date.now() - Number(duration[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 's' | 'm' | 'h'];
  const time = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(time)) throw usageError(`invalid filter 'until=${value}': expected a timestamp or a duration like 24h`);
  return time;
}

export async function pruneImages(store: ImageStore, options: PruneOptions): Promise<{ lines: RemovalLine[]; reclaimed: number }> {
  let until: number | undefined;
  const labelFilters: { key: string; value?: string; negate: boolean }[] = [];
  for (const filter of options.filters) {
    const match = /^(until|label!?)=(.*)$/.exec(filter);
    if (!match) throw usageError(`invalid filter '${filter.split('=')[0]}'`);
    if (match[1] === 'until') until = parseUntil(match[2]);
    else {
      const [key, value] = match[2].split(/=(.*)/s, 2);
      labelFilters.push({ key, value, negate: match[1] === 'label!' });
    }
  }
  const before = await store.contentSize();
  const known = await catalogue(store);
  const used = new Set(known.containers.map((container) => container.image));
  const usedIds = new Set(known.containers.map((container) => container.imageId));
  const lines: RemovalLine[] = [];
  const groups = new Map<string, StoredImage[]>();
  for (const record of known.records) {
    const key = configOfRecord(known, record) ?? record.target.digest;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  for (const group of groups.values()) {
    if (group.some((record) => used.has(record.name)) || usedIds.has(configOfRecord(known, group[0]))) continue;
    const dangling = group.every((record) => record.name.includes('@') || isImageIdName(record.name));
    if (!options.all && !dangling) continue;
    const image = await readLocalImage(store, group[0]).catch(() => undefined);
    const created = image?.config.created ? Date.parse(image.config.created) : 0;
    if (until !== undefined && created >= until) continue;
    const labels = image?.config.config?.Labels ?? {};
    const labelsMatch = labelFilters.every(({ key, value, negate }) => (key in labels && (value === undefined || labels[key] === value)) !== negate);
    if (!labelsMatch) continue;
    lines.push(...(await deleteRecords(store, known, group)));
  }
  const after = await store.contentSize();
  return { lines, reclaimed: Math.max(0, before - after) };
}
