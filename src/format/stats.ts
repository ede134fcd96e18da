// `docker stats`' columns: one row per container, its fields as Docker's CLI words them.

import type { StatsEntry } from '../runtime/containers/stats.js';
import type { ListFormat } from './output.js';
import { bytesSize, humanSize } from './units.js';

export const STATS_FORMAT: ListFormat = {
  defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  headers: {
    Container: 'CONTAINER',
    Name: 'NAME',
    ID: 'CONTAINER ID',
    CPUPerc: 'CPU %',
    MemUsage: 'MEM USAGE / LIMIT',
    MemPerc: 'MEM %',
    NetIO: 'NET I/O',
    BlockIO: 'BLOCK I/O',
    PIDs: 'PIDS',
  },
};

export interface StatsRow {
  /** what the user named the container by (its ID when they named none) */
  readonly Container: string;
  readonly Name: string;
  readonly ID: string;
  readonly CPUPerc: string;
  readonly MemUsage: string;
  readonly MemPerc: string;
  readonly NetIO: string;
  readonly BlockIO: string;
  readonly PIDs: string;
}

const percentage = (value: number) => `${value.toFixed(2)}%`;

export function statsRow(container: { readonly ref: string; readonly id: string; readonly name: string }, entry: StatsEntry, truncate: boolean): StatsRow {
  // in Go's key order: Docker's `{{json .}}` marshals the row as a map
  return {
    BlockIO: `${humanSize(entry.blockRead, 3)} / ${humanSize(entry.blockWrite, 3)}`,
    CPUPerc: percentage(entry.cpuPercent),
    Container: container.ref,
    ID: truncate ? container.id.slice(0, 12) : container.id,
    MemPerc: percentage(entry.memoryPercent),
    MemUsage: `${bytesSize(entry.memory)} / ${bytesSize(entry.memoryLimit)}`,
    Name: container.name === '' ? '--' : container.name,
    NetIO: `${humanSize(entry.netRx, 3)} / ${humanSize(entry.netTx, 3)}`,
    PIDs: String(entry.pids),
  };
}

/** A frame of the live view: home, each line cleared to its end, the rest of the screen cleared. */
export function liveFrame(text: string): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return `\u001b[H${lines.map((line) => `${line}\u001b[K\n`).join('')}\u001b[J`;
}
