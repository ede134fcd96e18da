// Images in Kubernetes' namespace as containerd's CRI plugin keeps them. A CRI pull records one
// image under up to three names: `repo:tag`, `repo@<manifest digest>` and the bare image ID
// `sha256:<config digest>` (CRI finds images by that ID), each labelled as CRI-managed. berth
// writes the same records when it pulls, loads or tags in that namespace, so that CRI's image
// cache knows the image at once (CRI would add the ID record itself on the image event, but
// only some time after berth returned, and only while it runs) and a pod using it starts
// without a pull. `images` shows such a group as Docker shows one image: one row per repo:tag.

import { parseReference, type Reference } from './reference.js';
import { isUntaggedImageName } from './image-names.js';
import type { ImageStore, StoredDescriptor } from './store.js';

/** CRI's mark on the image records it manages (containerd 1.6's `io.cri-containerd.image`). */
export const CRI_MANAGED_LABELS: Readonly<Record<string, string>> = { 'io.cri-containerd.image': 'managed' };

const IMAGE_ID_NAME = /^sha256:[a-f0-9]{64}$/;

/** A record named by the image ID alone, as CRI makes them: never a repository. */
export function isImageIdName(name: string): boolean {
  return IMAGE_ID_NAME.test(name);
}

export interface CriRecords {
  readonly target: StoredDescriptor;
  readonly configDigest: string;
  /** canonical references */
  readonly names: readonly string[];
  /** labels the names get besides CRI's (`tag` passes the source's on); else each keeps its own */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Writes the names and the image's ID record, all pointing at the image and labelled as CRI
 * labels its own. The ID record goes first: when CRI sees a name's event, the ID is there.
 */
export async function recordForCri(store: ImageStore, records: CriRecords): Promise<void> {
  for (const name of [records.configDigest, ...records.names]) {
    const existing = await store.getImage(name);
    const labels = name === records.configDigest ? existing?.labels : (records.labels ?? existing?.labels);
    await store.putImage({ name, target: records.target, labels: { ...labels, ...CRI_MANAGED_LABELS } });
  }
}

/** The names CRI's own pull of `reference` records: the tag (when pulled by tag) and `repo@digest`. */
export function criPullNames(reference: Reference, targetDigest: string): string[] {
  const names = [`${reference.name}@${targetDigest}`];
  if (reference.digest === undefined && reference.tag !== undefined) names.unshift(`${reference.name}:${reference.tag}`);
  return names;
}

export interface NamedRecord {
  readonly name: string;
  readonly configDigest: string;
  readonly targetDigest: string;
}

export interface RowName<R extends NamedRecord> {
  /** familiar repository, `<none>` when the image has no name */
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  /** the record the row stands for (of a merged row: its tag's, else its digest's, else any) */
  readonly record: R;
}

function parsed(name: string): { repository: string; tag?: string; digest?: string } | undefined {
  if (isImageIdName(name) || isUntaggedImageName(name)) return undefined;
  try {
    const reference = parseReference(name);
    return name.includes('@') ? { repository: reference.familiar, digest: reference.digest } : { repository: reference.familiar, tag: reference.tag };
  } catch {
    return undefined;
  }
}

/** Every record its own row (`images --all-records`, and every namespace but Kubernetes'). */
export function rowPerRecord<R extends NamedRecord>(records: readonly R[]): RowName<R>[] {
  return records.map((record) => {
    const name = parsed(record.name);
    return { repository: name?.repository ?? '<none>', tag: name?.tag ?? '<none>', digest: record.targetDigest, record };
  });
}

/**
 * Docker's rows for images with several names: per image (config digest), one row per
 * repo:tag (its digest that of the same repository's digest record, if any); a repository
 * known only by digest gets one `<none>` row (one per digest with `digests`); an image with
 * no name at all one `<none>` row. ID records and untagged records never make a row of their own.
 */
export function rowPerImage<R extends NamedRecord>(records: readonly R[], options: { digests: boolean }): RowName<R>[] {
  const images = new Map<string, R[]>();
  for (const record of records) images.set(record.configDigest, [...(images.get(record.configDigest) ?? []), record]);
  const rows: RowName<R>[] = [];
  for (const group of images.values()) {
    const tags = new Map<string, { tag: string; record: R }[]>();
    const digests = new Map<string, { digest: string; record: R }[]>();
    for (const record of group) {
      const name = parsed(record.name);
      if (name?.tag !== undefined) tags.set(name.repository, [...(tags.get(name.repository) ?? []), { tag: name.tag, record }]);
      else if (name?.digest !== undefined) digests.set(name.repository, [...(digests.get(name.repository) ?? []), { digest: name.digest, record }]);
    }
    const before = rows.length;
    for (const [repository, tagged] of tags) {
      const digest = digests.get(repository)?.[0]?.digest;
      digests.delete(repository);
      for (const { tag, record } of tagged) rows.push({ repository, tag, digest: digest ?? record.targetDigest, record });
    }
    for (const [repository, digested] of digests) {
      const shown = options.digests ? digested : digested.slice(0, 1);
      for (const { digest, record } of shown) rows.push({ repository, tag: '<none>', digest, record });
    }
    if (rows.length === before) rows.push({ repository: '<none>', tag: '<none>', digest: group[0].targetDigest, record: group[0] });
  }
  return rows;
}

/**
 * What else goes when `doomed` goes from Kubernetes' namespace: once an image loses its last
 * name, the records CRI keeps beside the names (the removed repositories' digest records, the
 * ID record) would only leave a nameless image behind, so they go too, as CRI's own RemoveImage
 * removes them all. Empty while another tag or repository still names the image.
 */
export function criCompanions<R extends NamedRecord>(all: readonly R[], doomed: readonly R[]): R[] {
  if (doomed.length === 0) return [];
  const config = doomed[0].configDigest;
  const repositories = new Set(doomed.map((record) => parsed(record.name)?.repository));
  const rest = all.filter((record) => record.configDigest === config && !doomed.some((gone) => gone.name === record.name));
  const companion = (record: R) => {
    const name = parsed(record.name);
    return name === undefined || (name.digest !== undefined && repositories.has(name.repository));
  };
  return rest.every(companion) ? rest : [];
}
