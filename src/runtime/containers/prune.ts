// `container prune` (and `system prune`'s first step): every container that is not running goes,
// as `rm` removes one, narrowed by Docker's prune filters (until, label, label!).

import { parseFilterArgs } from '../../filter-args.js';
import type { RuntimeContext } from '../context.js';
import { matchesEveryLabel } from '../label-filters.js';
import { parseTimeOption } from '../logging/read.js';
import { removeContainer } from './lifecycle.js';
import { listContainers } from './list.js';
import type { ContainerRecord } from './record.js';
import { containerSizes } from './size.js';

export interface PruneFilters {
  /** created before this, milliseconds since the epoch */
  readonly until?: number;
  readonly labels: readonly string[];
  readonly notLabels: readonly string[];
}

const PRUNE_KEYS = new Set(['until', 'label', 'label!']);

/** Docker's prune filters for containers; another key is an error, as the daemon's. */
export function parsePruneFilters(values: readonly string[], now = new Date()): PruneFilters {
  let until: number | undefined;
  const labels: string[] = [];
  const notLabels: string[] = [];
  const filters = parseFilterArgs(values, PRUNE_KEYS);
  for (const argument of filters.get('until') ?? []) until = Number(parseTimeOption(argument, now, 'until') / 1_000_000n);
  labels.push(...(filters.get('label') ?? []));
  notLabels.push(...(filters.get('label!') ?? []));
  return { until, labels, notLabels };
}

export function prunable(record: ContainerRecord, filters: PruneFilters): boolean {
  if (record.status === 'running' || record.status === 'paused' || record.status === 'restarting') return false;
  if (filters.until !== undefined && record.created.getTime() > filters.until) return false;
  if (filters.labels.length > 0 && !matchesEveryLabel(filters.labels, record.userLabels)) return false;
  if (filters.notLabels.length > 0 && matchesEveryLabel(filters.notLabels, record.userLabels)) return false;
  return true;
}

export interface ContainerPruneReport {
  readonly deleted: string[];
  /** bytes of the removed containers' writable layers */
  readonly reclaimed: number;
}

export async function pruneContainers(context: RuntimeContext, filters: PruneFilters): Promise<ContainerPruneReport> {
  const doomed = (await listContainers(context)).filter((record) => prunable(record, filters));
  const sizes = await containerSizes(context, doomed);
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const record of doomed) {
    await removeContainer(context, record.container, { force: false });
    deleted.push(record.id);
    reclaimed += sizes.get(record.id)?.rw ?? 0;
  }
  return { deleted, reclaimed };
}

/** Docker's `Deleted Containers:` block (empty when nothing went), blank line included. */
export function deletedContainersText(ids: readonly string[]): string {
  return ids.length === 0 ? '' : `Deleted Containers:\n${ids.map((id) => `${id}\n`).join('')}\n`;
}
