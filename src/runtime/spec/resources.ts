// Cgroup limits and rlimits: --memory, --cpus, --pids-limit, --ulimit.

import { usageError } from '../../errors.js';
import type { Spec } from './types.js';

/** The CFS period Docker uses to express --cpus as a quota. */
export const CPU_PERIOD = 100_000;

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
  'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

/**
 * Zero means "not set" for each, as in the Engine API. With a memory limit and no swap limit,
 * Docker lets the container swap as much again: memory+swap is twice the memory.
 */
export function withResources(spec: Spec, memory = 0, nanoCpus = 0, pidsLimit = 0): void {
  const resources = spec.linux.resources;
  if (memory > 0) resources.memory = { limit: memory, swap: memory * 2 };
  if (nanoCpus > 0) resources.cpu = { quota: Math.round((nanoCpus * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  if (pidsLimit > 0) resources.pids = { limit: pidsLimit };
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
