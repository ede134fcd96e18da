// The daemon's share of the resource checks (moby's verifyPlatformContainerResources): what
// this host's cgroups can do is probed from their files; a setting the kernel cannot apply
// is discarded with Docker's warning, a setting that makes no sense is refused with
// Docker's message.

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { HostConfig } from '../intent.js';

/** The controllers and files this kernel offers (moby's sysinfo.SysInfo, the parts berth uses). */
export interface CgroupSupport {
  readonly memoryLimit: boolean;
  readonly swapLimit: boolean;
  readonly memoryReservation: boolean;
  readonly memorySwappiness: boolean;
  readonly oomKillDisable: boolean;
  readonly cpuShares: boolean;
  readonly cpuCfs: boolean;
  readonly cpuRealtime: boolean;
  readonly cpuset: boolean;
  /** the CPUs and memory nodes cpuset may use, as `0-3,5` */
  readonly cpus: string;
  readonly mems: string;
  readonly blkioWeight: boolean;
  readonly blkioWeightDevice: boolean;
  readonly blkioReadBps: boolean;
  readonly blkioWriteBps: boolean;
  readonly blkioReadIOps: boolean;
  readonly blkioWriteIOps: boolean;
}

/** Docker's daemon refuses less: the container could not even start. */
const MIN_MEMORY = 6 * 1024 * 1024;

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Probes /sys/fs/cgroup: cgroup v1 by each controller's files, v2 by the root's controller list. */
export function readCgroupSupport(root = '/sys/fs/cgroup'): CgroupSupport {
  const controllers = read(join(root, 'cgroup.controllers'));
  if (controllers !== '') {
    const has = new Set(controllers.split(/\s+/));
    const io = has.has('io');
    return {
      memoryLimit: has.has('memory'),
      swapLimit: has.has('memory'),
      memoryReservation: has.has('memory'),
      memorySwappiness: false,
      oomKillDisable: false,
      cpuShares: has.has('cpu'),
      cpuCfs: has.has('cpu'),
      cpuRealtime: false,
      cpuset: has.has('cpuset'),
      cpus: read(join(root, 'cpuset.cpus.effective')),
      mems: read(join(root, 'cpuset.mems.effective')),
      blkioWeight: io && existsSync(join(root, 'io.weight')),
      blkioWeightDevice: io && existsSync(join(root, 'io.weight')),
      blkioReadBps: io,
      blkioWriteBps: io,
      blkioReadIOps: io,
      blkioWriteIOps: io,
    };
  }
  const file = (controller: string, name: string) => existsSync(join(root, controller, name));
  return {
    memoryLimit: file('memory', 'memory.limit_in_bytes'),
    swapLimit: file('memory', 'memory.memsw.limit_in_bytes'),
    memoryReservation: file('memory', 'memory.soft_limit_in_bytes'),
    memorySwappiness: file('memory', 'memory.swappiness'),
    oomKillDisable: file('memory', 'memory.oom_control'),
    cpuShares: file('cpu', 'cpu.shares'),
    cpuCfs: file('cpu', 'cpu.cfs_quota_us'),
    cpuRealtime: file('cpu', 'cpu.rt_runtime_us'),
    cpuset: file('cpuset', 'cpuset.cpus'),
    cpus: read(join(root, 'cpuset', 'cpuset.cpus')),
    mems: read(join(root, 'cpuset', 'cpuset.mems')),
    blkioWeight: file('blkio', 'blkio.weight'),
    blkioWeightDevice: file('blkio', 'blkio.weight_device'),
    blkioReadBps: file('blkio', 'blkio.throttle.read_bps_device'),
    blkioWriteBps: file('blkio', 'blkio.throttle.write_bps_device'),
    blkioReadIOps: file('blkio', 'blkio.throttle.read_iops_device'),
    blkioWriteIOps: file('blkio', 'blkio.throttle.write_iops_device'),
  };
}

/** moby's parsers.ParseUintList: `0-3,5` → {0,1,2,3,5}; undefined when malformed. */
export function parseUintList(list: string): Set<number> | undefined {
  const result = new Set<number>();
  if (list === '') return result;
  for (const part of list.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) return undefined;
    const start = Number(range[1]);
    const end = range[2] === undefined ? start : Number(range[2]);
    if (end < start) return undefined;
    for (let value = start; value <= end; value += 1) result.add(value);
  }
  return result;
}

function refused(message: string): BerthError {
  return new BerthError('invalid-argument', message, { exitCode: 125 });
}

export interface CheckedResources {
  /** the HostConfig with what the kernel cannot do discarded, as Docker stores it */
  readonly host: HostConfig;
  /** Docker's warnings, printed as `WARNING: …` */
  readonly warnings: string[];
}

/** Each cpuset value must be a list whose members the host has. */
function checkCpuset(requested: string | undefined, available: string, what: 'cpus' | 'mems'): void {
  if (!requested) return;
  const wanted = parseUintList(requested);
  if (!wanted) throw refused(`Invalid value ${requested} for cpuset ${what}: invalid format: ${requested}`);
  const has = parseUintList(available) ?? new Set<number>();
  if ([...wanted].some((value) => !has.has(value))) {
    throw refused(`Requested ${what === 'cpus' ? 'CPUs' : 'memory nodes'} are not available - requested ${requested}, available: ${available}`);
  }
}

/**
 * The resource settings against each other and against this kernel, in the daemon's order
 * and words. Settings the kernel lacks are dropped with a warning; the rest pass unchanged.
 */
export function checkResources(input: HostConfig, support: CgroupSupport, cpuCount = availableParallelism()): CheckedResources {
  const host: HostConfig = { ...input };
  const warnings: string[] = [];
  const memory = host.Memory ?? 0;
  const swap = host.MemorySwap ?? 0;
  if (memory > 0 && swap > 0 && swap < memory) throw refused('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0) throw refused('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (memory > 0 && swap !== -1 && !support.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    host.MemorySwap = -1;
  }
  if (host.MemorySwappiness !== undefined && host.MemorySwappiness !== null) {
    if (!support.memorySwappiness) {
      warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
      host.MemorySwappiness = undefined;
    } else if (host.MemorySwappiness < 0 || host.MemorySwappiness > 100) {
      throw refused(`Invalid value: ${host.MemorySwappiness}, valid memory swappiness range is 0-100`);
    }
  }
  const reservation = host.MemoryReservation ?? 0;
  if (reservation > 0 && !support.memoryReservation) {
    warnings.push('Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.');
    host.MemoryReservation = 0;
  } else if (reservation > 0 && reservation < MIN_MEMORY) {
    throw refused('Minimum memory reservation allowed is 6MB');
  } else if (memory > 0 && reservation > 0 && memory < reservation) {
    throw refused('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (host.OomKillDisable && !support.oomKillDisable) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    host.OomKillDisable = undefined;
  } else if (host.OomKillDisable && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }

  const nanoCpus = host.NanoCpus ?? 0;
  if (nanoCpus > 0 && (host.CpuPeriod ?? 0) > 0) throw refused('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nanoCpus > 0 && (host.CpuQuota ?? 0) > 0) throw refused('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if ((host.CpuShares ?? 0) > 0 && !support.cpuShares) {
    warnings.push('Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.');
    host.CpuShares = 0;
  }
  if (((host.CpuPeriod ?? 0) !== 0 || (host.CpuQuota ?? 0) !== 0) && !support.cpuCfs) {
    warnings.push('Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.');
    host.CpuPeriod = 0;
    host.CpuQuota = 0;
  }
  const period = host.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) throw refused('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  const quota = host.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw refused('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (((host.CpuRealtimePeriod ?? 0) !== 0 || (host.CpuRealtimeRuntime ?? 0) !== 0) && !support.cpuRealtime) {
    throw refused('kernel does not support CPU real-time scheduler');
  }
  const realtimePeriod = host.CpuRealtimePeriod ?? 0;
  if (realtimePeriod !== 0 && (host.CpuRealtimeRuntime ?? 0) > realtimePeriod) throw refused('cpu real-time runtime cannot be higher than cpu real-time period');
  if ((host.CpuShares ?? 0) < 0 && support.cpuShares) throw refused(`invalid CPU shares (${host.CpuShares}): value must be a positive integer`);
  if (nanoCpus !== 0 && (nanoCpus < 0 || nanoCpus > cpuCount * 1e9)) {
    throw refused(`range of CPUs is from 0.01 to ${cpuCount}.00, as there are only ${cpuCount} CPUs available`);
  }

  if ((host.CpusetCpus || host.CpusetMems) && !support.cpuset) {
    warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    host.CpusetCpus = '';
    host.CpusetMems = '';
  }
  checkCpuset(host.CpusetCpus, support.cpus, 'cpus');
  checkCpuset(host.CpusetMems, support.mems, 'mems');

  const weight = host.BlkioWeight ?? 0;
  if (weight > 0 && !support.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    host.BlkioWeight = 0;
  } else if (weight > 0 && (weight < 10 || weight > 1000)) {
    throw refused('Range of blkio weight is from 10 to 1000');
  }
  const discard = (field: 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps', supported: boolean, warning: string) => {
    if ((host[field]?.length ?? 0) > 0 && !supported) {
      warnings.push(warning);
      host[field] = [];
    }
  };
  discard('BlkioWeightDevice', support.blkioWeightDevice, 'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.');
  discard('BlkioDeviceReadBps', support.blkioReadBps, 'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.');
  discard('BlkioDeviceWriteBps', support.blkioWriteBps, 'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.');
  discard('BlkioDeviceReadIOps', support.blkioReadIOps, 'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.');
  discard('BlkioDeviceWriteIOps', support.blkioWriteIOps, 'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.');

  const oomScoreAdj = host.OomScoreAdj ?? 0;
  if (oomScoreAdj < -1000 || oomScoreAdj > 1000) throw refused(`Invalid value ${oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  return { host, warnings };
}

/**
 * Lowering a process's OOM score below what it was given takes CAP_SYS_RESOURCE; without it
 * runc would fail deep in the container's init. `own` is berth's /proc/self/oom_score_adj.
 */
export function oomScoreBelowOwn(score: number | undefined, own: number, canRaise: boolean): string | undefined {
  if (score === undefined || canRaise || score >= own) return undefined;
  return `--oom-score-adj ${score}: lower than berth's own OOM score adjustment (${own}), which takes CAP_SYS_RESOURCE that berth lacks`;
}
