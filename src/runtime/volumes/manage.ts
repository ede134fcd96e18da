// `volume ls`, `rm` and `prune` as Docker's daemon decides them: list filters (dangling, name,
// driver, label), removal refused while a container uses the volume, and prune's selection
// (unused local volumes without driver options; anonymous ones only unless `all`).

import { BerthError } from '../../errors.js';
import { parseFilterArgs } from '../../filter-args.js';
import type { RuntimeContext } from '../context.js';
import { parseGoBool as goBool } from '../create-options.js';
import { matchesAny, matchesEveryLabel } from '../label-filters.js';
import { volumeUsers } from './container-volumes.js';
import { ANONYMOUS_LABEL, deleteVolume, getVolume, listVolumes, volumeSize, type Volume } from './store.js';

export interface VolumeFilters {
  readonly dangling?: boolean;
  readonly name: readonly string[];
  readonly driver: readonly string[];
  readonly label: readonly string[];
  readonly notLabel: readonly string[];
  /** prune only: every unused volume, not only anonymous ones */
  readonly all?: boolean;
}

const LIST_FILTERS = new Set(['dangling', 'name', 'driver', 'label']);
const PRUNE_FILTERS = new Set(['label', 'label!', 'all']);

/** `--filter key=value` for `volume ls` (`prune` = false) or `volume prune`, with the daemon's messages. */
export function parseVolumeFilters(values: readonly string[], prune = false): VolumeFilters {
  const parsed = parseFilterArgs(values, prune ? PRUNE_FILTERS : LIST_FILTERS);
  const lists: Record<string, string[]> = { dangling: [], name: [], driver: [], label: [], 'label!': [], all: [], ...Object.fromEntries(parsed) };
  let dangling: boolean | undefined;
  for (const value of lists.dangling) {
    const parsed = goBool(value);
    if (parsed === undefined) throw new BerthError('invalid-argument', `invalid filter 'dangling=${value}'`);
    dangling = parsed;
  }
  let all: boolean | undefined;
  if (lists.all.length > 1) throw new BerthError('invalid-argument', `invalid filter 'all=${lists.all.join(',')}': only one value is expected`);
  if (lists.all.length === 1) {
    all = goBool(lists.all[0]);
    if (all === undefined) throw new BerthError('invalid-argument', `invalid filter 'all': strconv.ParseBool: parsing ${JSON.stringify(lists.all[0])}: invalid syntax`);
  }
  return { dangling, name: lists.name, driver: lists.driver, label: lists.label, notLabel: lists['label!'], all };
}

/** Whether a volume passes the filters; `used` is whether a container mounts it. */
export function volumeMatches(volume: Volume, used: boolean, filters: VolumeFilters): boolean {
  if (filters.dangling !== undefined && filters.dangling === used) return false;
  if (!matchesAny(filters.name, volume.Name)) return false;
  if (filters.driver.length > 0 && !filters.driver.includes(volume.Driver)) return false;
  if (filters.label.length > 0 && !matchesEveryLabel(filters.label, volume.Labels)) return false;
  if (filters.notLabel.length > 0 && matchesEveryLabel(filters.notLabel, volume.Labels)) return false;
  return true;
}

export async function listVolumesFiltered(context: RuntimeContext, filters: VolumeFilters): Promise<Volume[]> {
  const [volumes, users] = await Promise.all([listVolumes(context), filters.dangling === undefined ? new Map<string, string[]>() : volumeUsers(context)]);
  return volumes.filter((volume) => volumeMatches(volume, users.has(volume.Name), filters));
}

/** Docker's refusal for a volume a container still mounts (`-f` does not override it). */
export function volumeInUse(name: string, containers: readonly string[]): BerthError {
  return new BerthError('failed-precondition', `remove ${name}: volume is in use - [${containers.join(', ')}]`);
}

/** `volume rm`: refused while in use; with `force` a volume that is not there is no error. */
export async function removeVolume(context: RuntimeContext, name: string, options: { force: boolean; users?: Map<string, string[]> }): Promise<void> {
  let volume: Volume;
  try {
    volume = await getVolume(context, name);
  } catch (error) {
    if (options.force && error instanceof BerthError && error.category === 'not-found') return;
    throw error;
  }
  const users = (options.users ?? (await volumeUsers(context))).get(name) ?? [];
  if (users.length > 0) throw volumeInUse(name, users);
  await deleteVolume(context, volume);
}

/** Prune's candidates: local, unused, no driver options, anonymous unless `all`, then the label filters. */
export function prunableVolumes(volumes: readonly Volume[], users: ReadonlyMap<string, readonly string[]>, filters: VolumeFilters): Volume[] {
  return volumes.filter((volume) => {
    if (volume.Driver !== 'local' || users.has(volume.Name) || Object.keys(volume.Options).length > 0) return false;
    if (!filters.all && !Object.hasOwn(volume.Labels, ANONYMOUS_LABEL)) return false;
    return volumeMatches(volume, false, { ...filters, dangling: undefined });
  });
}

export interface VolumePruneReport {
  readonly deleted: string[];
  readonly reclaimed: number;
}

export async function pruneVolumes(context: RuntimeContext, filters: VolumeFilters): Promise<VolumePruneReport> {
  const [volumes, users] = await Promise.all([listVolumes(context), volumeUsers(context)]);
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const volume of prunableVolumes(volumes, users, filters)) {
    const size = await volumeSize(volume);
    try {
      await deleteVolume(context, volume);
    } catch (error) {
      process.stderr.write(`could not remove volume ${volume.Name}: ${(error as Error).message}\n`);
      continue;
    }
    deleted.push(volume.Name);
    reclaimed += size;
  }
  return { deleted, reclaimed };
}

/** Docker's `Deleted Volumes:` block (empty when nothing went), blank line included. */
export function deletedVolumesText(names: readonly string[]): string {
  return names.length === 0 ? '' : `Deleted Volumes:\n${names.map((name) => `${name}\n`).join('')}\n`;
}

export interface VolumeUsage {
  readonly volume: Volume;
  /** containers that mount it */
  readonly links: number;
  readonly size: number;
}

/** `system df`'s volumes: each with the number of containers using it and its size. */
export async function volumeUsage(context: RuntimeContext): Promise<VolumeUsage[]> {
  const [volumes, users] = await Promise.all([listVolumes(context), volumeUsers(context)]);
  return Promise.all(volumes.map(async (volume) => ({ volume, links: users.get(volume.Name)?.length ?? 0, size: await volumeSize(volume) })));
}
