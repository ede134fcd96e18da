// `network ls --filter` and `network prune --filter`, with Docker's keys and meanings.

import { usageError } from '../../errors.js';
import { parseFilterArgs } from '../../filter-args.js';
import { matchesEveryLabel } from '../label-filters.js';
import type { NetworkRow } from './manage.js';
import type { Network } from './networks.js';

export interface NetworkFilters {
  readonly values: ReadonlyMap<string, readonly string[]>;
}

const LIST_KEYS = new Set(['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling']);

export function parseNetworkFilters(values: readonly string[]): NetworkFilters {
  const parsed = parseFilterArgs(values, LIST_KEYS);
  for (const type of parsed.get('type') ?? []) if (type !== 'custom' && type !== 'builtin') throw usageError(`invalid filter: 'type'='${type}'`);
  for (const dangling of parsed.get('dangling') ?? []) if (!['true', 'false', '1', '0'].includes(dangling)) throw usageError(`invalid filter 'dangling=${dangling}'`);
  return { values: parsed };
}

/** Values of one key are OR'd, different keys AND'd; name and id match by substring and prefix as Docker's. */
export function networkMatches(row: NetworkRow, filters: NetworkFilters): boolean {
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters.values.get(key);
    return values === undefined || values.some(test);
  };
  return (
    any('driver', (value) => row.Driver === value) &&
    any('id', (value) => row.ID.startsWith(value)) &&
    any('name', (value) => row.Name.includes(value)) &&
    any('scope', (value) => row.Scope === value) &&
    any('type', (value) => (value === 'builtin') === row.builtin) &&
    any('dangling', (value) => (value === 'true' || value === '1') === (!row.builtin && row.endpoints === 0)) &&
    (filters.values.get('label') === undefined || matchesEveryLabel(filters.values.get('label')!, row.Labels))
  );
}

export interface NetworkPruneFilters {
  readonly until?: number;
  readonly labels: readonly string[];
  readonly notLabels: readonly string[];
}

export function parseNetworkPruneFilters(values: readonly string[], now = Date.now()): NetworkPruneFilters {
  const parsed = parseFilterArgs(values, new Set(['until', 'label', 'label!']));
  let until: number | undefined;
  for (const value of parsed.get('until') ?? []) {
    const duration = /^(\d+)([smh])$/.exec(value);
    const absolute = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (duration) until = now - Number(duration[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 's' | 'm' | 'h'];
    else if (!Number.isNaN(absolute)) until = absolute;
    else throw usageError(`invalid filter 'until=${value}'`);
  }
  return { until, labels: parsed.get('label') ?? [], notLabels: parsed.get('label!') ?? [] };
}

/** Whether the prune filters spare this unused network. */
export function keptByPruneFilters(network: Network, filters: NetworkPruneFilters): boolean {
  if (filters.until !== undefined && Date.parse(network.created) > filters.until) return true;
  if (filters.labels.length > 0 && !matchesEveryLabel(filters.labels, network.labels)) return true;
  if (filters.notLabels.length > 0 && matchesEveryLabel(filters.notLabels, network.labels)) return true;
  return false;
}
