// `stats`: a container's cgroup counters from Tasks.Metrics (containerd/cgroups' v1 or v2
// Metrics, whichever the host has), turned into Docker's numbers the way Docker's CLI computes
// them: CPU % from the change of the container's CPU time against the host's over the same
// interval, memory without the inactive page cache, the host's memory as the limit when the
// container has none.

import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { decodeMessage } from '../containerd/client.js';
import type { Any } from '../containerd/types.js';

/** One reading of one container, in Docker's terms. */
export interface StatsSample {
  /** container CPU time, ns */
  readonly cpuTotal: number;
  /** the host's CPU time (all CPUs), ns */
  readonly systemCpu: number;
  readonly onlineCpus: number;
  /** bytes, page cache (inactive_file) left out */
  readonly memory: number;
  readonly memoryLimit: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
}

/** What Docker's table shows for one container; all zero for a container without a task. */
export interface StatsEntry {
  readonly cpuPercent: number;
  readonly memory: number;
  readonly memoryLimit: number;
  readonly memoryPercent: number;
  readonly netRx: number;
  readonly netTx: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
}

export const EMPTY_ENTRY: StatsEntry = { cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };

/** Clock ticks per second in /proc/stat (USER_HZ, 100 on Linux), as Docker's daemon assumes. */
const CLOCK_TICKS = 100;

/** /proc/stat: the host's CPU time in ns (user … softirq, as Docker's daemon sums it) and its CPUs. */
export function parseProcStat(text: string): { systemCpu: number; onlineCpus: number } {
  let systemCpu = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) break;
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'cpu') {
      if (parts.length < 8) throw new BerthError('internal', 'invalid number of cpu fields in /proc/stat');
      const ticks = parts.slice(1, 8).reduce((sum, value) => sum + Number(value), 0);
      systemCpu = (ticks * 1e9) / CLOCK_TICKS;
    } else {
      onlineCpus += 1;
    }
  }
  return { systemCpu, onlineCpus };
}

type Long = string | number;
interface V1Metrics {
  pids: { current: Long } | null;
  cpu: { usage: { total: Long; per_cpu: Long[] } | null } | null;
  memory: { total_inactive_file: Long; usage: { usage: Long; limit: Long } | null } | null;
  blkio: { io_service_bytes_recursive: { op: string; value: Long }[] } | null;
}
interface V2Metrics {
  pids: { current: Long } | null;
  cpu: { usage_usec: Long } | null;
  memory: { inactive_file: Long; usage: Long; usage_limit: Long } | null;
  io: { usage: { rbytes: Long; wbytes: Long }[] } | null;
}

const V1 = 'io.containerd.cgroups.v1.Metrics';
const V2 = 'io.containerd.cgroups.v2.Metrics';

/** Usage without the inactive page cache, as Docker 20+ (and cadvisor, and the CRI) count it. */
function withoutCache(usage: number, inactiveFile: number): number {
  return inactiveFile < usage ? usage - inactiveFile : usage;
}

/** A Metric's Any as counters; the host's CPU time and memory come from the caller. */
export function decodeMetrics(data: Any, host: { systemCpu: number; onlineCpus: number; memory: number }): StatsSample {
  const limitOf = (limit: number) => (host.memory > 0 && limit > host.memory ? host.memory : limit);
  const typeUrl = data.type_url.replace(/^type\.googleapis\.com\//, '');
  if (typeUrl === V1) {
    const metrics = decodeMessage<V1Metrics>(V1, data.value)!; // berth's protos define it
    let blockRead = 0;
    let blockWrite = 0;
    for (const entry of metrics.blkio?.io_service_bytes_recursive ?? []) {
      const op = entry.op[0];
      if (op === 'r' || op === 'R') blockRead += Number(entry.value);
      else if (op === 'w' || op === 'W') blockWrite += Number(entry.value);
    }
    const usage = Number(metrics.memory?.usage?.usage ?? 0);
    return {
      cpuTotal: Number(metrics.cpu?.usage?.total ?? 0),
      systemCpu: host.systemCpu,
      onlineCpus: host.onlineCpus || (metrics.cpu?.usage?.per_cpu.length ?? 0),
      memory: withoutCache(usage, Number(metrics.memory?.total_inactive_file ?? 0)),
      memoryLimit: limitOf(Number(metrics.memory?.usage?.limit ?? 0)),
      blockRead,
      blockWrite,
      pids: Number(metrics.pids?.current ?? 0),
    };
  }
  if (typeUrl === V2) {
    const metrics = decodeMessage<V2Metrics>(V2, data.value)!;
    const io = metrics.io?.usage ?? [];
    const usage = Number(metrics.memory?.usage ?? 0);
    return {
      cpuTotal: Number(metrics.cpu?.usage_usec ?? 0) * 1000,
      systemCpu: host.systemCpu,
      onlineCpus: host.onlineCpus,
      memory: withoutCache(usage, Number(metrics.memory?.inactive_file ?? 0)),
      memoryLimit: limitOf(Number(metrics.memory?.usage_limit ?? 0)),
      blockRead: io.reduce((sum, entry) => sum + Number(entry.rbytes), 0),
      blockWrite: io.reduce((sum, entry) => sum + Number(entry.wbytes), 0),
      pids: Number(metrics.pids?.current ?? 0),
    };
  }
  throw new BerthError('not-implemented', `container metrics of type ${data.type_url} are not supported`);
}

/** Docker's CLI: the container's share of the host's CPU time since the last reading, times the CPUs. */
export function cpuPercent(previous: Pick<StatsSample, 'cpuTotal' | 'systemCpu'> | undefined, current: StatsSample): number {
  const cpuDelta = current.cpuTotal - (previous?.cpuTotal ?? 0);
  const systemDelta = current.systemCpu - (previous?.systemCpu ?? 0);
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * current.onlineCpus * 100;
  return 0;
}

export function statsEntry(previous: StatsSample | undefined, current: StatsSample): StatsEntry {
  return {
    cpuPercent: cpuPercent(previous, current),
    memory: current.memory,
    memoryLimit: current.memoryLimit,
    memoryPercent: current.memoryLimit !== 0 ? (current.memory / current.memoryLimit) * 100 : 0,
    // no networks yet: every container is on the host's network or none, where Docker shows 0B too
    netRx: 0,
    netTx: 0,
    blockRead: current.blockRead,
    blockWrite: current.blockWrite,
    pids: current.pids,
  };
}

/** One reading of every container in `ids` that has a task (one Tasks.Metrics call); others are absent. */
export async function sampleStats(context: RuntimeContext, ids: readonly string[]): Promise<Map<string, StatsSample>> {
  const samples = new Map<string, StatsSample>();
  if (ids.length === 0) return samples;
  const { metrics } = await context.containerd.unary<{ metrics: { id: string; data: Any | null }[] }>('tasks', 'Metrics', {
    filters: ids.map((id) => `id==${id}`),
  });
  const host = { ...parseProcStat(readFileSync('/proc/stat', 'utf8')), memory: totalmem() };
  for (const metric of metrics) {
    if (metric.data) samples.set(metric.id, decodeMetrics(metric.data, host));
  }
  return samples;
}
