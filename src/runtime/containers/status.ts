// Docker's words for a container's state: `ps`'s STATUS column and the filters' state names.

import { humanDuration } from '../../format/units.js';
import type { ContainerRecord, ContainerStatus } from './record.js';

/** The states `--filter status=` accepts, as Docker's daemon validates them. */
export const CONTAINER_STATES: readonly ContainerStatus[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** Running in Docker's sense: paused and restarting containers are running too. */
export function isRunning(record: ContainerRecord): boolean {
  return record.status === 'running' || record.status === 'paused' || record.status === 'restarting';
}

/** `Up 3 seconds`, `Up 2 minutes (healthy)`, `Up 5 seconds (Paused)`, `Exited (0) 2 minutes ago`, `Created`. */
export function statusText(record: ContainerRecord, now: number = Date.now()): string {
  const since = (date: Date | undefined) => humanDuration(now - (date ?? record.created).getTime());
  switch (record.status) {
    case 'running':
      // Docker's Health.String: `health: starting`, else the status alone
      if (record.health) return `Up ${since(record.startedAt)} (${record.health.Status === 'starting' ? 'health: starting' : record.health.Status})`;
      return `Up ${since(record.startedAt)}`;
    case 'paused':
      return `Up ${since(record.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${record.exitCode}) ${since(record.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (!record.startedAt && !record.finishedAt) return 'Created';
      if (!record.finishedAt) return `Exited (${record.exitCode})`;
      return `Exited (${record.exitCode}) ${since(record.finishedAt)} ago`;
  }
}
