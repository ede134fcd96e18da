// `system df`: docker/cli's disk usage contexts. The summary has a row per kind (Images,
// Containers, Local Volumes, Build Cache); `-v` tables the images and containers themselves.
// berth has no build cache yet: that row counts nothing.

import { formatList, formatOne, tabwrite } from './output.js';
import { humanDuration, humanSize } from './units.js';

export interface ImageUsageInput {
  /** config digest */
  readonly id: string;
  /** familiar `repository:tag` names; empty for a dangling image */
  readonly tags: readonly string[];
  readonly created?: Date;
  /** the image's layers (by chain ID) and what each takes on disk */
  readonly layers: readonly { readonly key: string; readonly size: number }[];
  /** containers created from the image, whatever their state */
  readonly containers: number;
}

export interface ContainerUsageInput {
  /** running, paused or restarting */
  readonly active: boolean;
  /** bytes of the writable layer */
  readonly sizeRw: number;
}

export interface VolumeUsageInput {
  readonly name: string;
  /** containers that mount it */
  readonly links: number;
  readonly size: number;
}

export interface ImageUsage extends ImageUsageInput {
  readonly size: number;
  /** bytes of layers other images have too */
  readonly sharedSize: number;
}

/** Each image's size and the part of it shared with other images, and every layer once. */
export function imageUsage(images: readonly ImageUsageInput[]): { images: ImageUsage[]; layersSize: number } {
  const users = new Map<string, number>();
  const sizes = new Map<string, number>();
  for (const image of images) {
    for (const layer of new Map(image.layers.map((entry) => [entry.key, entry.size]))) {
      users.set(layer[0], (users.get(layer[0]) ?? 0) + 1);
      sizes.set(layer[0], layer[1]);
    }
  }
  const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
  return {
    images: images.map((image) => ({
      ...image,
      size: sum(image.layers.map((layer) => layer.size)),
      sharedSize: sum(image.layers.filter((layer) => (users.get(layer.key) ?? 0) > 1).map((layer) => layer.size)),
    })),
    layersSize: sum(sizes.values()),
  };
}

function reclaimableText(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.floor((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

export interface SummaryRow {
  readonly Active: string;
  readonly Reclaimable: string;
  readonly Size: string;
  readonly TotalCount: string;
  readonly Type: string;
}

export function summaryRows(
  images: readonly ImageUsage[],
  layersSize: number,
  containers: readonly ContainerUsageInput[],
  volumes: readonly VolumeUsageInput[] = [],
): SummaryRow[] {
  const used = images.filter((image) => image.containers > 0);
  const usedUnique = used.reduce((total, image) => total + image.size - image.sharedSize, 0);
  const containersSize = containers.reduce((total, container) => total + container.sizeRw, 0);
  const idleSize = containers.filter((container) => !container.active).reduce((total, container) => total + container.sizeRw, 0);
  const nothing = { Active: '0', Reclaimable: humanSize(0), Size: humanSize(0), TotalCount: '0' };
  return [
    { Active: String(used.length), Reclaimable: reclaimableText(layersSize - usedUnique, layersSize), Size: humanSize(layersSize), TotalCount: String(images.length), Type: 'Images' },
    {
      Active: String(containers.filter((container) => container.active).length),
      Reclaimable: reclaimableText(idleSize, containersSize),
      Size: humanSize(containersSize),
      TotalCount: String(containers.length),
      Type: 'Containers',
    },
    volumeRow(volumes),
    { ...nothing, Type: 'Build Cache' },
  ];
}

function volumeRow(volumes: readonly VolumeUsageInput[]): SummaryRow {
  const size = volumes.reduce((total, volume) => total + volume.size, 0);
  const unused = volumes.filter((volume) => volume.links === 0).reduce((total, volume) => total + volume.size, 0);
  return {
    Active: String(volumes.filter((volume) => volume.links > 0).length),
    Reclaimable: reclaimableText(unused, size),
    Size: humanSize(size),
    TotalCount: String(volumes.length),
    Type: 'Local Volumes',
  };
}

/** docker/cli's volume context as `df -v` fills it. */
export function verboseVolumeRow(volume: VolumeUsageInput): Record<string, string> {
  return { Name: volume.name, Links: String(volume.links), Size: humanSize(volume.size) };
}

const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

export function renderSummary(rows: readonly SummaryRow[], format: string | undefined): string {
  return formatList([...rows], format, { defaultTable: SUMMARY_TABLE, headers: SUMMARY_HEADERS });
}

/** docker/cli's imageContext as `df -v` fills it: the first tag only, IDs short in a table. */
export function verboseImageRow(image: ImageUsage, options: { truncate: boolean; now: number }): Record<string, string> {
  const [repository, tag] = image.tags.length > 0 ? splitTag(image.tags[0]) : ['<none>', '<none>'];
  const hex = image.id.replace(/^sha256:/, '');
  return {
    Containers: String(image.containers),
    CreatedSince: image.created ? `${humanDuration(options.now - image.created.getTime())} ago` : '',
    ID: options.truncate ? hex.slice(0, 12) : image.id,
    Repository: repository,
    SharedSize: humanSize(image.sharedSize),
    Size: humanSize(image.size, 3),
    Tag: tag,
    UniqueSize: humanSize(image.size - image.sharedSize),
  };
}

function splitTag(name: string): [string, string] {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, '<none>'];
}

const IMAGE_TABLE = '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const IMAGE_HEADERS = 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS';
const CONTAINER_TABLE = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_TABLE = '{{.Name}}\t{{.Links}}\t{{.Size}}';
const VOLUME_HEADERS = 'VOLUME NAME\tLINKS\tSIZE';
const CONTAINER_HEADERS = 'CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES';

/**
 * `df -v`: a table per kind with docker's section titles; with --format, the template runs once
 * on the whole `{Images, Containers, Volumes, BuildCache}`, as docker runs it.
 */
export function renderVerbose(imageRows: readonly object[], containerRows: readonly object[], format: string | undefined, volumeRows: readonly object[] = []): string {
  if (format !== undefined && format !== 'table') {
    return formatOne({ Images: [...imageRows], Containers: [...containerRows], Volumes: [...volumeRows], BuildCache: [] }, format);
  }
  const table = (template: string, headers: string, rows: readonly object[]) => {
    const body = formatList([...rows], template, { defaultTable: template, headers: {} });
    return tabwrite(`${headers}\n${body}`);
  };
  return [
    'Images space usage:\n\n',
    table(IMAGE_TABLE, IMAGE_HEADERS, imageRows),
    '\nContainers space usage:\n\n',
    table(CONTAINER_TABLE, CONTAINER_HEADERS, containerRows),
    '\nLocal Volumes space usage:\n\n',
    table(VOLUME_TABLE, VOLUME_HEADERS, volumeRows),
    `\nBuild cache usage: ${humanSize(0)}\n\n`,
    tabwrite('CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n'),
  ].join('');
}
