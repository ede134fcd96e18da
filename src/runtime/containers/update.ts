// `update`: new limits merged into the container's stored HostConfig by Docker's rules, the
// cgroup settings recomputed from the merged HostConfig by the same function `run` uses for the
// spec (so every limit `run` knows, `update` knows), sent to a running task (Tasks.Update), then
// kept in the spec and the stored intent so that inspect shows them and a restart keeps them.

import { BerthError, usageError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Container } from '../containerd/types.js';
import { parseGoInt, parseMemoryBytes, parseNanoCpus, parseRestartPolicy, parsedFlag, type RestartPolicy } from '../create-options.js';
import { parseCreateIntent, type CreateIntent, type HostConfig } from '../intent.js';
import { hostResources } from '../spec/resources.js';
import type { Spec } from '../spec/types.js';
import { EXTENSIONS, INTENT_TYPE_URL } from './labels.js';
import { storedIntent } from './lifecycle.js';
import type { ContainerRecord } from './record.js';

const RESOURCES_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
const MIN_MEMORY = 6 * 1024 * 1024;

type Value = number | string;

/** What the user asked to change: HostConfig fields (Docker's names) and the flag each came from. */
export interface ContainerUpdate {
  readonly fields: Readonly<Record<string, Value>>;
  readonly flagOf: Readonly<Record<string, string>>;
  readonly restartPolicy?: RestartPolicy;
}

/** flag → [HostConfig field, parser]; a value of 0 / '' means "leave as it is", as in the Engine API. */
const RESOURCE_FLAGS: Readonly<Record<string, readonly [string, (value: string) => Value]>> = {
  memory: ['Memory', parseMemoryBytes],
  'memory-reservation': ['MemoryReservation', parseMemoryBytes],
  'memory-swap': ['MemorySwap', (value) => (value === '-1' ? -1 : parseMemoryBytes(value))],
  cpus: ['NanoCpus', parseNanoCpus],
  'cpu-shares': ['CpuShares', parseGoInt],
  'cpu-period': ['CpuPeriod', parseGoInt],
  'cpu-quota': ['CpuQuota', parseGoInt],
  'cpu-rt-period': ['CpuRealtimePeriod', parseGoInt],
  'cpu-rt-runtime': ['CpuRealtimeRuntime', parseGoInt],
  'cpuset-cpus': ['CpusetCpus', (value) => value],
  'cpuset-mems': ['CpusetMems', (value) => value],
  'pids-limit': ['PidsLimit', parseGoInt],
  'blkio-weight': ['BlkioWeight', parseBlkioWeight],
};

function parseBlkioWeight(value: string): number {
  const weight = parseGoInt(value);
  if (weight < 0 || weight > 65535) throw usageError(`strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  return weight;
}

/** The flags' text values (undefined = not given) as an update; Docker's client-side checks included. */
export function parseUpdateFlags(flags: Readonly<Record<string, string | undefined>>): ContainerUpdate {
  const fields: Record<string, Value> = {};
  const flagOf: Record<string, string> = {};
  for (const [flag, [field, parse]] of Object.entries(RESOURCE_FLAGS)) {
    const text = flags[flag];
    if (text === undefined) continue;
    const value = parsedFlag(flag, text, parse);
    if (value === 0 || value === '') continue;
    fields[field] = value;
    flagOf[field] = flag;
  }
  const restart = flags.restart;
  const given = Object.values(flags).some((value) => value !== undefined);
  if (!given) throw new BerthError('invalid-argument', 'you must provide one or more flags when using this command');
  return { fields, flagOf, restartPolicy: restart === undefined || restart === '' ? undefined : parseRestartPolicy(restart) };
}

function conflict(message: string): BerthError {
  return new BerthError('invalid-argument', message);
}

/** The memory+swap limit in force: Docker's daemon stores twice the memory when none was given. */
function effectiveSwap(host: Readonly<Record<string, unknown>>): number {
  const swap = Number(host.MemorySwap ?? 0);
  if (swap !== 0) return swap;
  const memory = Number(host.Memory ?? 0);
  return memory > 0 ? memory * 2 : 0;
}

/** Docker's daemon's checks on the values alone (verifyPlatformContainerResources for an update). */
function checkValues(fields: Readonly<Record<string, Value>>): void {
  const number = (field: string) => (typeof fields[field] === 'number' ? (fields[field] as number) : 0);
  if (number('Memory') > 0 && number('Memory') < MIN_MEMORY) throw conflict('Minimum memory limit allowed is 6MB');
  if (number('MemoryReservation') > 0 && number('MemoryReservation') < MIN_MEMORY) throw conflict('Minimum memory reservation allowed is 6MB');
  if (number('Memory') > 0 && number('MemorySwap') > 0 && number('MemorySwap') < number('Memory')) {
    throw conflict('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (number('Memory') > 0 && number('MemoryReservation') > 0 && number('Memory') < number('MemoryReservation')) {
    throw conflict('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (number('NanoCpus') > 0 && (number('CpuPeriod') > 0 || number('CpuQuota') > 0)) {
    throw conflict(`Conflicting options: Nano CPUs and CPU ${number('CpuPeriod') > 0 ? 'Period' : 'Quota'} cannot both be set`);
  }
  const weight = number('BlkioWeight');
  if (weight > 0 && (weight < 10 || weight > 1000)) throw conflict('Range of blkio weight is from 10 to 1000');
  if (number('CpuPeriod') !== 0 && (number('CpuPeriod') < 1000 || number('CpuPeriod') > 1_000_000)) {
    throw conflict('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (number('CpuQuota') > 0 && number('CpuQuota') < 1000) throw conflict('CPU cfs quota can not be less than 1ms (i.e. 1000)');
}

/**
 * Docker's UpdateContainer: non-zero values replace the stored ones; NanoCpus and a CFS
 * period/quota exclude each other; a memory limit above the memory+swap limit in force needs a
 * new `--memory-swap`; `--restart` is refused for an `--rm` container.
 */
export function mergeHostConfig(current: HostConfig, update: ContainerUpdate): HostConfig {
  const { fields } = update;
  checkValues(fields);
  const host = current as Readonly<Record<string, unknown>>;
  const stored = (field: string) => Number(host[field] ?? 0);
  if (Number(fields.NanoCpus ?? 0) > 0 && stored('CpuPeriod') > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (Number(fields.NanoCpus ?? 0) > 0 && stored('CpuQuota') > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (Number(fields.CpuPeriod ?? 0) > 0 && stored('NanoCpus') > 0) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (Number(fields.CpuQuota ?? 0) > 0 && stored('NanoCpus') > 0) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  const swap = effectiveSwap(host);
  if (fields.Memory !== undefined && Number(fields.Memory) > swap && fields.MemorySwap === undefined) {
    throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  const merged: Record<string, unknown> = { ...current, ...fields };
  // the memory+swap limit in force stays when only the memory changes (a field berth may not keep yet)
  if (fields.Memory !== undefined && fields.MemorySwap === undefined && swap !== 0) merged.MemorySwap = swap;
  if (update.restartPolicy) {
    if (current.AutoRemove && update.restartPolicy.Name !== 'no') {
      throw conflict('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    merged.RestartPolicy = update.restartPolicy;
  }
  return merged as HostConfig;
}

/** The intent with the update in it, validated; a flag whose field berth's intent lacks fails by name. */
export function updatedIntent(intent: CreateIntent, update: ContainerUpdate): CreateIntent {
  const next = parseCreateIntent({ ...intent, HostConfig: mergeHostConfig(intent.HostConfig, update) });
  const kept = next.HostConfig as Readonly<Record<string, unknown>>;
  for (const [field, value] of Object.entries(update.fields)) {
    if (kept[field] !== value) throw usageError(`--${update.flagOf[field]} is not supported yet`);
  }
  return next;
}

/** What Tasks.Update gets: every cgroup limit of the merged HostConfig; `--pids-limit -1` lifts the limit. */
export function taskResources(host: HostConfig, update: ContainerUpdate): Record<string, unknown> {
  const resources: Record<string, unknown> = { ...hostResources(host) };
  if (update.fields.PidsLimit !== undefined && resources.pids === undefined) resources.pids = { limit: -1 };
  return resources;
}

export async function updateContainer(context: RuntimeContext, record: ContainerRecord, update: ContainerUpdate): Promise<void> {
  const { containerd } = context;
  const { container } = record;
  const failed = (error: unknown) => new BerthError(error instanceof BerthError ? error.category : 'internal', `Cannot update container ${record.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  let intent: CreateIntent;
  try {
    intent = updatedIntent(storedIntent(container), update);
  } catch (error) {
    // the daemon's refusals name the container; berth's own (a flag not supported yet) do not
    if (error instanceof BerthError && error.category === 'invalid-argument') throw failed(error);
    throw error;
  }
  const running = record.status === 'running' || record.status === 'paused';
  if (running && Object.keys(update.fields).length > 0) {
    const resources = taskResources(intent.HostConfig, update);
    try {
      await containerd.unary('tasks', 'Update', {
        container_id: record.id,
        resources: { type_url: RESOURCES_TYPE_URL, value: Buffer.from(JSON.stringify(resources)) },
      });
    } catch (error) {
      throw failed(error);
    }
  }
  const { container: updated } = await containerd.unary<{ container: Container }>('containers', 'Update', {
    container: {
      id: record.id,
      spec: container.spec ? { type_url: container.spec.type_url, value: Buffer.from(JSON.stringify(withNewResources(container, intent.HostConfig))) } : undefined,
      extensions: { [EXTENSIONS.intent]: { type_url: INTENT_TYPE_URL, value: Buffer.from(JSON.stringify(intent)) } },
    },
    update_mask: { paths: [...(container.spec ? ['spec'] : []), `extensions.${EXTENSIONS.intent}`] },
  });
  // a running container's restart labels follow the new policy at once (restart-update.ts)
  if (update.restartPolicy) await (await import('./restart-update.js')).applyRestartPolicy(context, updated, update.restartPolicy);
}

/** The stored spec with its cgroup limits recomputed; the device rules stay as they were. */
function withNewResources(container: Container, host: HostConfig): Spec {
  const spec = JSON.parse(Buffer.from(container.spec!.value).toString('utf8')) as Spec;
  // block IO names devices, which update does not look up: the create-time settings stay
  const blockIO = spec.linux.resources?.blockIO;
  spec.linux.resources = { devices: spec.linux.resources?.devices ?? [], ...(blockIO ? { blockIO } : {}), ...hostResources(host) };
  return spec;
}
