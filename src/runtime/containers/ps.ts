// `ps`: which containers Docker would list for the given flags and filters, and the row
// context its templates see (`{{.ID}}`, `{{.Status}}`, `{{.Label "k"}}`, `{{json .}}`).

import { BerthError } from '../../errors.js';
import { parseFilterArgs } from '../../filter-args.js';
import { displayWidth, tabwrite } from '../../format/output.js';
import { humanDuration, humanSize } from '../../format/units.js';
import { formatValue, quoteGo } from '../../format/values.js';
import { parseReference } from '../../image/reference.js';
import { matchesAny } from '../label-filters.js';
import { resolveReference } from './find.js';
import type { ContainerSize } from './inspect.js';
import { mountPoints, networkMode, storedIntentOf } from './inspect.js';
import { CRI_LABELS } from './labels.js';
import { storedVolumeMounts } from '../volumes/container-volumes.js';
import type { ContainerRecord } from './record.js';
import { LABELS } from './labels.js';
import { portMappingsFromLabel, portsColumn } from '../network/ports.js';
import { CONTAINER_STATES, isRunning, statusText } from './status.js';

export interface ContainerFilters {
  readonly id: readonly string[];
  readonly name: readonly string[];
  readonly label: readonly string[];
  readonly status: readonly string[];
  readonly exited: readonly number[];
  readonly ancestor: readonly string[];
  readonly before?: string;
  readonly since?: string;
  readonly network: readonly string[];
  /** a volume name, a bind's host path or a mount's destination */
  readonly volume: readonly string[];
  readonly health: readonly string[];
  readonly isTask?: boolean;
  /** berth's shortcuts for Kubernetes' containers: the pod's name, the pod's namespace */
  readonly pod: readonly string[];
  readonly k8sNamespace: readonly string[];
}

const HEALTH_STATES = new Set(['starting', 'healthy', 'unhealthy', 'none']);
/** Docker's filters that need what berth does not have yet (published ports). */
const NOT_YET = new Set(['expose', 'publish', 'isolation']);

/** `--filter key=value` flags, checked as Docker's CLI and daemon check them. */
export function parseContainerFilters(values: readonly string[]): ContainerFilters {
  const empty: Record<string, string[]> = { id: [], name: [], label: [], status: [], exited: [], ancestor: [], before: [], since: [], network: [], volume: [], health: [], 'is-task': [], pod: [], 'k8s-namespace': [] };
  const parsed = parseFilterArgs(values, new Set([...Object.keys(empty), ...NOT_YET]));
  for (const key of parsed.keys()) if (NOT_YET.has(key)) throw new BerthError('not-implemented', `filter '${key}' is not supported by berth yet`);
  const lists: Record<string, string[]> = { ...empty, ...Object.fromEntries(parsed) };
  const exited = lists.exited.map((code) => {
    if (!/^[+-]?\d+$/.test(code)) throw new BerthError('invalid-argument', `invalid filter 'exited=${code}'`);
    return Number.parseInt(code, 10);
  });
  for (const state of lists.status) {
    if (!CONTAINER_STATES.includes(state as never)) throw new BerthError('invalid-argument', `invalid filter 'status=${state}'`);
  }
  for (const state of lists.health) {
    if (!HEALTH_STATES.has(state)) throw new BerthError('invalid-argument', `Unrecognised filter value for health: ${state}`);
  }
  let isTask: boolean | undefined;
  for (const flag of lists['is-task']) {
    if (flag !== 'true' && flag !== 'false') throw new BerthError('invalid-argument', `Invalid filter 'is-task=${flag}'`);
    isTask = flag === 'true';
  }
  return {
    id: lists.id,
    name: lists.name,
    label: lists.label,
    status: lists.status,
    exited,
    ancestor: lists.ancestor,
    before: lists.before.at(-1),
    since: lists.since.at(-1),
    network: lists.network,
    volume: lists.volume,
    health: lists.health,
    isTask,
    pod: lists.pod,
    k8sNamespace: lists['k8s-namespace'],
  };
}

/** filters.Args.MatchKVList: every `key` must be present, every `key=value` equal. */
function matchesLabels(filters: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  return filters.every((filter) => {
    const equals = filter.indexOf('=');
    if (equals === -1) return Object.hasOwn(labels, filter);
    const key = filter.slice(0, equals);
    return Object.hasOwn(labels, key) && labels[key] === filter.slice(equals + 1);
  });
}

/** Images an `ancestor=` filter stands for: their config digests, and their normalised names. */
export interface AncestorSet {
  readonly imageIds: ReadonlySet<string>;
  /** normalised names of the values that name no local image (the image was removed) */
  readonly goneNames: ReadonlySet<string>;
  /** normalised names of every value: what a container berth did not create can be matched by */
  readonly names: ReadonlySet<string>;
}

function matchesAncestor(record: ContainerRecord, ancestors: AncestorSet): boolean {
  if (record.imageId !== '' && ancestors.imageIds.has(record.imageId)) return true;
  const names = record.imageId === '' ? ancestors.names : ancestors.goneNames;
  return names.has(record.container.image);
}

export interface SelectOptions {
  /** `-a` */
  readonly all: boolean;
  /** `-n` (`-l` is 1); 0 or less for no limit */
  readonly last: number;
  /** resolved `ancestor=` values; required when the filters have any */
  readonly ancestors?: AncestorSet;
}

/**
 * Whether a pod's sandbox is listed: they are one per pod and run nothing of the user's, so
 * `ps` shows them only with `-a` or when a label filter asks for CRI's kind label.
 */
function showsSandboxes(filters: ContainerFilters, all: boolean): boolean {
  return all || filters.label.some((filter) => filter.split('=', 1)[0] === CRI_LABELS.kind);
}

/** Docker's selection, on the records newest first (as listContainers returns them). */
export function selectContainers(records: readonly ContainerRecord[], filters: ContainerFilters, options: SelectOptions): ContainerRecord[] {
  const all = options.all || filters.status.length > 0;
  const sandboxes = showsSandboxes(filters, options.all);
  const position = new Map(records.map((record, index) => [record.id, index]));
  const beforeIndex = filters.before === undefined ? undefined : position.get(resolveReference(records, filters.before).id)!;
  const sinceIndex = filters.since === undefined ? undefined : position.get(resolveReference(records, filters.since).id)!;
  const selected: ContainerRecord[] = [];
  for (const [index, record] of records.entries()) {
    const running = isRunning(record);
    if (!running && !all && options.last <= 0) continue;
    const { kubernetes } = record;
    if (kubernetes?.kind === 'sandbox' && !sandboxes) continue;
    if (filters.pod.length > 0 && !(kubernetes && filters.pod.includes(kubernetes.podName))) continue;
    if (filters.k8sNamespace.length > 0 && !(kubernetes && filters.k8sNamespace.includes(kubernetes.podNamespace))) continue;
    if (!matchesAny(filters.name, `/${record.name}`) && !matchesAny(filters.name, record.name)) continue;
    if (!matchesAny(filters.id, record.id)) continue;
    if (!matchesLabels(filters.label, record.userLabels)) continue;
    // newest first: older containers come after the `before` one, newer ones before `since`
    if (beforeIndex !== undefined && index <= beforeIndex) continue;
    if (sinceIndex !== undefined && index >= sinceIndex) continue;
    if (filters.exited.length > 0 && (running || !record.startedAt || !filters.exited.includes(record.exitCode))) continue;
    if (filters.status.length > 0 && !filters.status.includes(record.status)) continue;
    if (filters.ancestor.length > 0) {
      const ancestors = options.ancestors;
      if (!ancestors || !matchesAncestor(record, ancestors)) continue;
    }
    if (filters.health.length > 0 && !filters.health.includes(record.health?.Status ?? 'none')) continue;
    // berth has no swarm tasks
    if (filters.isTask === true) continue;
    if (filters.network.length > 0 && !filters.network.includes(networkMode(storedIntentOf(record)))) continue;
    if (filters.volume.length > 0 && !mountsAny(record, filters.volume)) continue;
    selected.push(record);
    if (options.last > 0 && selected.length === options.last) break;
  }
  return selected;
}

/** Docker's `volume` filter: a mount's destination, or its volume name (its source for a bind). */
function mountsAny(record: ContainerRecord, values: readonly string[]): boolean {
  const mounts = mountPoints(storedIntentOf(record), storedVolumeMounts(record.container));
  return mounts.some((mount) => values.includes(mount.Destination) || values.includes(mount.Name || mount.Source));
}

/** docker/cli's Ellipsis: at most `width` terminal columns, the last one `…` when cut. */
export function ellipsis(text: string, width: number): string {
  if (width <= 0) return '';
  const runes = [...text];
  if (width === 1) return runes[0] ?? '';
  if (displayWidth(text) <= width) return text;
  let used = 0;
  let out = '';
  for (const rune of runes) {
    const runeWidth = displayWidth(rune);
    if (used + runeWidth > width - 1) break;
    used += runeWidth;
    out += rune;
  }
  return `${out}…`;
}

/** The daemon's one-line command: argv joined, arguments with a space in single quotes. */
export function commandText(argv: readonly string[]): string {
  if (argv.length === 0) return '';
  return [argv[0], ...argv.slice(1).map((arg) => (arg.includes(' ') ? `'${arg}'` : arg))].join(' ');
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/**
 * The IMAGE column. `image` is what the list reports (the name as typed, or the image ID when
 * that name now means another image or none); truncated output shows a short ID or the
 * familiar name without a digest.
 */
export function imageText(image: string, imageId: string, truncate: boolean): string {
  if (image === '') return '<no image>';
  if (!truncate) return image;
  if (imageId !== '' && shortId(imageId) === shortId(image)) return shortId(image);
  try {
    const reference = parseReference(image);
    const beforeDigest = image.split('@')[0];
    const explicitTag = /:[^/]+$/.test(beforeDigest) && reference.tag !== undefined;
    return explicitTag ? `${reference.familiar}:${reference.tag}` : reference.familiar;
  } catch {
    return image;
  }
}

// Containers share a handful of images: parse each reference once per listing.
const imageTexts = new Map<string, string>();
function cachedImageText(image: string, imageId: string, truncate: boolean): string {
  const key = `${truncate ? 't' : 'f'}\u0000${imageId}\u0000${image}`;
  let text = imageTexts.get(key);
  if (text === undefined) imageTexts.set(key, (text = imageText(image, imageId, truncate)));
  return text;
}

/** strconv.Quote; the common case, printable ASCII needing no escape, without the per-rune walk. */
function quoteCommand(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) && !/["\\]/.test(text) ? `"${text}"` : quoteGo(text);
}

const DEFAULT_COLUMNS = ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names'] as const;
const DEFAULT_HEADER = 'CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES';

export interface RowOptions {
  /** not `--no-trunc` */
  readonly truncate: boolean;
  /** Date.now() for every row */
  readonly now: number;
  /** with `-s` or a template using .Size */
  readonly sizes?: ReadonlyMap<string, ContainerSize>;
  /** what IMAGE shows for this container (see imageText); the typed name by default */
  readonly imageOf?: (record: ContainerRecord) => string;
}

// The stored intent is JSON: parsed once per record, and only for a column that needs it.
const intents = new WeakMap<ContainerRecord, ReturnType<typeof storedIntentOf>>();
function intentOf(record: ContainerRecord): ReturnType<typeof storedIntentOf> {
  if (!intents.has(record)) intents.set(record, storedIntentOf(record));
  return intents.get(record);
}

const createdSeconds = (record: ContainerRecord) => Math.floor(record.created.getTime() / 1000);
const mountsOf = (record: ContainerRecord) => mountPoints(intentOf(record), storedVolumeMounts(record.container));

/** Docker's ContainerContext fields, in the order `{{json .}}` prints them. */
const FIELDS = {
  Command: (record, { truncate }) => quoteCommand(truncate ? ellipsis(commandText(record.command), 20) : commandText(record.command)),
  CreatedAt: (record) => formatValue(new Date(createdSeconds(record) * 1000)),
  ID: (record, { truncate }) => (truncate ? record.id.slice(0, 12) : record.id),
  Image: (record, { truncate, imageOf }) => cachedImageText(imageOf ? imageOf(record) : record.imageAsTyped, record.imageId, truncate),
  Labels: ({ userLabels }) =>
    Object.keys(userLabels)
      .map((key) => `${key}=${userLabels[key]}`)
      .sort()
      .join(','),
  LocalVolumes: (record) => String(mountsOf(record).filter((mount) => mount.Driver === 'local').length),
  Mounts: (record, { truncate }) =>
    mountsOf(record)
      .map((mount) => mount.Name || mount.Source)
      .map((name) => (truncate ? ellipsis(name, 15) : name))
      .join(','),
  Names: (record) => record.name,
  Networks: (record) => {
    const mode = networkMode(intentOf(record));
    return mode.startsWith('container:') ? '' : mode;
  },
  Platform: () => null,
  Ports: (record) => portsText(record),
  RunningFor: (record, { now }) => `${humanDuration(now - createdSeconds(record) * 1000)} ago`,
  Size: (record, { sizes }) => {
    const size = sizes?.get(record.id) ?? { rw: 0, rootFs: 0 };
    const rw = humanSize(size.rw, 3);
    return size.rootFs > 0 ? `${rw} (virtual ${humanSize(size.rootFs, 3)})` : rw;
  },
  State: (record) => record.status,
  Status: (record, { now }) => statusText(record, now),
} satisfies Record<string, (record: ContainerRecord, options: RowOptions) => unknown>;

/**
 * The default `ps` table (with `-s`, its SIZE column), laid out as formatList would lay out
 * Docker's default template over containerRow's rows, without the template engine or a row
 * object per container: `ps -a` over hundreds of containers is the listing scripts and people
 * run most.
 */
export function defaultTable(records: readonly ContainerRecord[], options: RowOptions, withSize: boolean): string {
  const columns: readonly (keyof typeof FIELDS)[] = withSize ? [...DEFAULT_COLUMNS, 'Size'] : DEFAULT_COLUMNS;
  let text = withSize ? `${DEFAULT_HEADER}\tSIZE\n` : `${DEFAULT_HEADER}\n`;
  for (const record of records) text += `${columns.map((column) => String(FIELDS[column](record, options))).join('\t')}\n`;
  return tabwrite(text);
}

/**
 * One row for `ps` templates: Docker's ContainerContext, fields in the order `{{json .}}` prints
 * them, each worked out only if the template reads it (`ps -a` may have hundreds of rows).
 */
export function containerRow(record: ContainerRecord, options: RowOptions): Record<string, unknown> {
  const labels = record.userLabels;
  const row: Record<string, unknown> = {};
  for (const [name, compute] of Object.entries(FIELDS)) {
    Object.defineProperty(row, name, { get: () => compute(record, options), enumerable: true, configurable: true });
  }
  // Kubernetes' names: in `{{json .}}` only for the kubelet's containers, readable by every template
  const { kubernetes } = record;
  for (const [field, value] of Object.entries(kubernetesFields(record))) {
    Object.defineProperty(row, field, { value, enumerable: kubernetes !== undefined });
  }
  Object.defineProperty(row, 'Label', { value: (name: string) => labels[name] ?? '', enumerable: false });
  return row;
}

const KUBERNETES_FIELDS = ['PodName', 'PodNamespace', 'ContainerName'] as const;

/** `{{.PodName}}`, `{{.PodNamespace}}`, `{{.ContainerName}}` ('' for a sandbox and for berth's containers). */
export function kubernetesFields(record: ContainerRecord): Record<(typeof KUBERNETES_FIELDS)[number], string> {
  const { kubernetes } = record;
  return { PodName: kubernetes?.podName ?? '', PodNamespace: kubernetes?.podNamespace ?? '', ContainerName: kubernetes?.containerName ?? '' };
}

/** Whether a `--format` template reads `.Size` (Docker measures sizes only then, or with -s). */
const ROW_FIELDS = [...Object.keys(FIELDS), ...KUBERNETES_FIELDS];

/** Whether a `--format` template reads any of `fields`: rendered once on a probe row that notices. */
export function templateUses(format: string | undefined, render: (row: Record<string, unknown>) => void, fields: readonly string[]): boolean {
  if (!format || format === 'table') return false;
  if (format === 'json') return true;
  let used = false;
  const probe: Record<string, unknown> = {};
  for (const name of ROW_FIELDS) {
    if (!fields.includes(name)) {
      probe[name] = '';
      continue;
    }
    Object.defineProperty(probe, name, {
      get: () => {
        used = true;
        return '';
      },
      enumerable: true,
    });
  }
  Object.defineProperty(probe, 'Label', { value: () => '', enumerable: false });
  try {
    render(probe);
  } catch {
    // a template that fails on the probe fails again, with its message, on the real rows
  }
  return used;
}

export function templateUsesSize(format: string | undefined, render: (row: Record<string, unknown>) => void): boolean {
  return templateUses(format, render, ['Size']);
}

/** Columns and filters that read berth's create intent or volumes, which live in the containers' extensions. */
export function needsExtensions(filters: ContainerFilters, format: string | undefined, render: (row: Record<string, unknown>) => void): boolean {
  return filters.network.length > 0 || filters.volume.length > 0 || templateUses(format, render, ['Mounts', 'Networks', 'LocalVolumes']);
}

/**
 * What `ancestor=` values mean among the local images: the image each names (a reference, with
 * or without tag, or an ID prefix) and the images built on it (whose layers extend its layers).
 */
export interface AncestorImage {
  readonly configDigest: string;
  readonly chainIds: readonly string[];
}

export function ancestorSet(resolved: readonly AncestorImage[], localImages: readonly AncestorImage[], values: readonly string[], unresolved: readonly string[]): AncestorSet {
  const imageIds = new Set<string>();
  for (const ancestor of resolved) {
    imageIds.add(ancestor.configDigest);
    const top = ancestor.chainIds.length;
    if (top === 0) continue;
    for (const image of localImages) {
      if (image.chainIds.length > top && image.chainIds[top - 1] === ancestor.chainIds[top - 1]) imageIds.add(image.configDigest);
    }
  }
  const normalise = (names: readonly string[]) => {
    const normalised = new Set<string>();
    for (const name of names) {
      try {
        normalised.add(parseReference(name).toString());
      } catch {
        // an ID prefix or a bad name: only an image lookup can match it
      }
    }
    return normalised;
  };
  return { imageIds, goneNames: normalise(unresolved), names: normalise(values) };
}

/** Docker's PORTS: the published ports of a running container (a stopped one holds none in Docker's view). */
function portsText(record: ContainerRecord): string {
  return isRunning(record) ? portsColumn(portMappingsFromLabel(record.container.labels[LABELS.ports]), []) : '';
}
