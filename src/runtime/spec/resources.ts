// Cgroup limits and rlimits: --memory, --cpus, --pids-limit, --ulimit, and the CPU, memory and
// block IO settings of Docker's HostConfig beyond them.

import { usageError } from '../../errors.js';
import type { HostConfig, ThrottleDevice } from '../intent.js';
import type { BlockIO, Resources, Spec } from './types.js';

/** The CFS period Docker uses to express --cpus as a quota. */
export const CPU_PERIOD = 100_000;

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
  'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

/** The cgroup settings a HostConfig asks for, without the device rules: Tasks.Update's body too. */
export type CgroupResources = Omit<Resources, 'devices'>;

/** The HostConfig fields that become cgroup settings. */
export type ResourceHost = Pick<
  HostConfig,
  | 'Memory' | 'NanoCpus' | 'PidsLimit'
  | 'CpuShares' | 'CpuPeriod' | 'CpuQuota' | 'CpuRealtimePeriod' | 'CpuRealtimeRuntime' | 'CpusetCpus' | 'CpusetMems'
  | 'MemoryReservation' | 'MemorySwap' | 'MemorySwappiness' | 'OomKillDisable'
  | 'BlkioWeight' | 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps'
>;

/**
 * The cgroup limits of a HostConfig: what `run` puts in the spec and what `update` sends to a
 * running task, from one function. Zero means "not set" for each, as in the Engine API. With a
 * memory limit and no swap limit, Docker lets the container swap as much again: memory+swap is
 * twice the memory. Block IO settings name devices: without `lookup` they are left out.
 */
export function hostResources(host: Partial<ResourceHost>, lookup?: BlockDeviceLookup): CgroupResources {
  const resources: CgroupResources = {};
  const memory = host.Memory ?? 0;
  const nanoCpus = host.NanoCpus ?? 0;
  const pidsLimit = host.PidsLimit ?? 0;
  if (memory > 0) resources.memory = { limit: memory, swap: memory * 2 };
  if (nanoCpus > 0) resources.cpu = { quota: Math.round((nanoCpus * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  if (pidsLimit > 0) resources.pids = { limit: pidsLimit };
  applyCpuOptions(resources, host);
  applyMemoryOptions(resources, host);
  if (lookup) applyBlockIO(resources, host, lookup);
  return resources;
}

export function withResources(spec: Spec, host: Partial<ResourceHost>, lookup?: BlockDeviceLookup): void {
  Object.assign(spec.linux.resources, hostResources(host, lookup));
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** `--ulimit nofile=512:1024`; each replaces the default of the same type. */
export function withUlimits(spec: Spec, ulimits: readonly Ulimit[]): void {
  for (const { Name, Soft, Hard } of ulimits) {
    const name = Name.toLowerCase();
    if (!ULIMIT_NAMES.has(name)) throw usageError(`invalid ulimit type: ${Name}`);
    if (Soft > Hard) throw usageError(`ulimit soft limit must be less than or equal to hard limit: ${Soft} > ${Hard}`);
    const type = `RLIMIT_${name.toUpperCase()}`;
    spec.process.rlimits = [...spec.process.rlimits.filter((limit) => limit.type !== type), { type, hard: Hard, soft: Soft }];
  }
}

const PROC_LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA', 'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS', 'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK', 'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING', 'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO', 'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits from /proc/self/limits text, by RLIMIT_ type; `unlimited` is absent (no ceiling). */
export function parseHardLimits(text: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const line of text.split('\n')) {
    const row = Object.keys(PROC_LIMIT_ROWS).find((name) => line.startsWith(name));
    if (!row) continue;
    const [, hard] = line.slice(row.length).trim().split(/\s+/);
    if (/^\d+$/.test(hard)) limits.set(PROC_LIMIT_ROWS[row], Number(hard));
  }
  return limits;
}

/**
 * Without CAP_SYS_RESOURCE no process can raise a hard limit above its own, and runc would fail
 * deep inside the container's init; berth says so up front, naming the limit.
 */
export function rlimitsBeyondHost(spec: Spec, hostHard: ReadonlyMap<string, number>): string | undefined {
  for (const limit of spec.process.rlimits) {
    const ceiling = hostHard.get(limit.type);
    if (ceiling !== undefined && limit.hard > ceiling) {
      const name = limit.type.replace(/^RLIMIT_/, '').toLowerCase();
      return `--ulimit ${name}=${limit.soft}:${limit.hard}: the hard limit is above this host's (${ceiling}) and berth lacks CAP_SYS_RESOURCE to raise it`;
    }
  }
  return undefined;
}

// --- the rest of Docker's cgroup resources (HostConfig fields; zero or absent means "not set") ---

type ResourceFields = Pick<
  HostConfig,
  | 'CpuShares' | 'CpuPeriod' | 'CpuQuota' | 'CpuRealtimePeriod' | 'CpuRealtimeRuntime' | 'CpusetCpus' | 'CpusetMems'
  | 'Memory' | 'MemoryReservation' | 'MemorySwap' | 'MemorySwappiness' | 'OomKillDisable'
>;

/** --cpu-shares, --cpu-period/--cpu-quota (which replace what --cpus set), --cpu-rt-*, --cpuset-*. */
function applyCpuOptions(resources: CgroupResources, host: Partial<ResourceFields>): void {
  const cpu = { ...resources.cpu };
  if (host.CpuShares) cpu.shares = host.CpuShares;
  if (host.CpuPeriod) cpu.period = host.CpuPeriod;
  if (host.CpuQuota) cpu.quota = host.CpuQuota;
  if (host.CpuRealtimePeriod) cpu.realtimePeriod = host.CpuRealtimePeriod;
  if (host.CpuRealtimeRuntime) cpu.realtimeRuntime = host.CpuRealtimeRuntime;
  if (host.CpusetCpus) cpu.cpus = host.CpusetCpus;
  if (host.CpusetMems) cpu.mems = host.CpusetMems;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
}

/**
 * --memory-swap (memory plus swap; -1 unlimited), --memory-reservation, --memory-swappiness,
 * --oom-kill-disable, on top of what withResources made of --memory.
 */
function applyMemoryOptions(resources: CgroupResources, host: Partial<ResourceFields>): void {
  const memory = { ...resources.memory };
  if (host.MemorySwap === -1) delete memory.swap;
  else if (host.MemorySwap && host.MemorySwap > 0) memory.swap = host.MemorySwap;
  if (host.MemoryReservation) memory.reservation = host.MemoryReservation;
  if (host.MemorySwappiness !== undefined && host.MemorySwappiness !== null) memory.swappiness = host.MemorySwappiness;
  if (host.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) resources.memory = memory;
}

/** The host device a blkio setting names, as major:minor. */
export type BlockDeviceLookup = (path: string) => { major: number; minor: number };

/** --blkio-weight, --blkio-weight-device and the four --device-{read,write}-{bps,iops} throttles. */
type BlockIOFields = Pick<HostConfig, 'BlkioWeight' | 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps'>;

function applyBlockIO(resources: CgroupResources, host: Partial<BlockIOFields>, lookup: BlockDeviceLookup): void {
  const blockIO: BlockIO = {};
  if (host.BlkioWeight) blockIO.weight = host.BlkioWeight;
  if (host.BlkioWeightDevice?.length) blockIO.weightDevice = host.BlkioWeightDevice.map(({ Path, Weight }) => ({ ...lookup(Path), weight: Weight }));
  const throttles = (devices: readonly ThrottleDevice[] | null | undefined) => devices?.length ? devices.map(({ Path, Rate }) => ({ ...lookup(Path), rate: Rate })) : undefined;
  const read = throttles(host.BlkioDeviceReadBps);
  const write = throttles(host.BlkioDeviceWriteBps);
  const readIOps = throttles(host.BlkioDeviceReadIOps);
  const writeIOps = throttles(host.BlkioDeviceWriteIOps);
  if (read) blockIO.throttleReadBpsDevice = read;
  if (write) blockIO.throttleWriteBpsDevice = write;
  if (readIOps) blockIO.throttleReadIOPSDevice = readIOps;
  if (writeIOps) blockIO.throttleWriteIOPSDevice = writeIOps;
  if (Object.keys(blockIO).length > 0) resources.blockIO = blockIO;
}

/** --cgroup-parent: the container's cgroup under it, as Docker's cgroupfs driver places it (a relative parent stays relative). */
export function withCgroupParent(spec: Spec, parent: string | undefined, id: string): void {
  if (!parent) return;
  spec.linux.cgroupsPath = `${parent.replace(/\/+$/, '')}/${id}`;
}
