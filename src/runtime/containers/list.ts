// Every container of the namespace with its state, in two calls whatever their number:
// one container listing and one Tasks.List. `ps` runs on this, so nothing here parses a
// spec or an intent: the labels hold what a listing needs.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { containerSummariesReply, containerSummaryMessage } from '../containerd/container-summaries.js';
import { timestampToDate, type Container, type Process } from '../containerd/types.js';
import { withHealth } from '../health/records.js';
import { kubernetesInfo, kubernetesName } from './kubernetes.js';
import { LABELS, isBerthLabel } from './labels.js';
import type { ContainerRecord, ContainerStatus, TaskSnapshot } from './record.js';
import { isRestarting } from './restart-policy.js';

/**
 * Docker's exit code for a container whose end nobody saw: its task is gone (containerd or the
 * host restarted) and no exit was recorded.
 */
const UNKNOWN_EXIT_CODE = 255;

export interface ListOptions {
  /** containerd filters on the container records (several strings are OR'd) */
  readonly filters?: readonly string[];
  /**
   * Leave the containers' extensions unread (`extensions` empty in the records): berth's create
   * intent and volumes are there, but also CRI's metadata, most of a Kubernetes container's bytes.
   */
  readonly withoutExtensions?: boolean;
}

/** The containers, newest first, each joined with its init task. */
export async function listContainers(context: RuntimeContext, options: ListOptions = {}): Promise<ContainerRecord[]> {
  const filters = options.filters ?? [];
  const [containers, tasks] = await Promise.all([
    options.withoutExtensions ? listContainerSummaries(context, filters) : listContainerMessages(context, filters),
    listTasks(context),
  ]);
  return sortNewestFirst(await withHealth(context, containers.map((container) => decodeRecord(container, tasks.get(container.id)))));
}

/** gRPC's RESOURCE_EXHAUSTED: the reply is over containerd's (or our) 16 MiB message limit. */
function tooLarge(error: unknown): boolean {
  return error instanceof BerthError && (error.cause as { code?: unknown } | undefined)?.code === 8;
}

/**
 * The container records, in one call. Containers.List sends them in one message, which grpc-js
 * receives several times faster than ListStream's message per container (measured: 300
 * containers, 12-27 ms against 40-50 ms before decoding); ListStream is the way when that
 * one message would pass the 16 MiB limit (hundreds of containers with large specs).
 */
export async function listContainerMessages(context: RuntimeContext, filters: readonly string[]): Promise<Container[]> {
  const { containerd } = context;
  try {
    const { containers } = await containerd.unary<{ containers: Container[] }>('containers', 'List', { filters });
    return containers;
  } catch (error) {
    if (!tooLarge(error)) throw error;
  }
  const messages = await containerd.collect<{ container: Container }>('containers', 'ListStream', { filters });
  return messages.map(({ container }) => container);
}

/** As listContainerMessages, with the extensions skipped unread. */
async function listContainerSummaries(context: RuntimeContext, filters: readonly string[]): Promise<Container[]> {
  const { containerd } = context;
  try {
    const { containers } = await containerd.unary<{ containers: Container[] }>('containers', 'List', { filters }, { replyDecoder: containerSummariesReply });
    return containers;
  } catch (error) {
    if (!tooLarge(error)) throw error;
  }
  const messages = await containerd.collect<{ container: Container }>('containers', 'ListStream', { filters }, { replyDecoder: containerSummaryMessage });
  return messages.map(({ container }) => container);
}

/** The init tasks of the namespace by container ID (containerd leaves `container_id` empty here). */
export async function listTasks(context: RuntimeContext): Promise<Map<string, Process>> {
  const { tasks } = await context.containerd.unary<{ tasks: Process[] }>('tasks', 'List', {});
  const byId = new Map<string, Process>();
  for (const task of tasks) byId.set(task.id || task.container_id, task);
  return byId;
}

export function sortNewestFirst(records: ContainerRecord[]): ContainerRecord[] {
  return records.sort((a, b) => b.created.getTime() - a.created.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function parseDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Where `--init` puts tini (spec/build.ts' INIT_PATH; not imported: that module is heavy for `ps`). */
const INIT_PATH = '/sbin/docker-init';

/** The user's command: `--init`'s `docker-init --` in front is berth's, not theirs, as in Docker. */
function parseCommand(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    const argv = Array.isArray(value) ? value.map(String) : [];
    return argv[0] === INIT_PATH && argv[1] === '--' ? argv.slice(2) : argv;
  } catch {
    return [];
  }
}

function taskSnapshot(task: Process): TaskSnapshot {
  return {
    status: task.status,
    pid: task.pid,
    exitStatus: task.exit_status,
    exitedAt: task.status === 'STOPPED' ? timestampToDate(task.exited_at) : undefined,
  };
}

/** One containerd container and its init task (if any) as berth's record. */
export function decodeRecord(container: Container, task?: Process): ContainerRecord {
  const labels = container.labels ?? {};
  const userLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (!isBerthLabel(key)) userLabels[key] = value;

  const snapshot = task ? taskSnapshot(task) : undefined;
  const startedAt = parseDate(labels[LABELS.startedAt]);
  const labelFinishedAt = parseDate(labels[LABELS.finishedAt]);
  const labelExitCode = labels[LABELS.exitCode] === undefined ? undefined : Number.parseInt(labels[LABELS.exitCode], 10);

  let status: ContainerStatus;
  let exitCode = 0;
  let finishedAt = labelFinishedAt;
  switch (snapshot?.status) {
    case 'RUNNING':
      status = 'running';
      break;
    case 'PAUSED':
    case 'PAUSING':
      status = 'paused';
      break;
    case 'CREATED':
      status = 'created';
      break;
    case 'STOPPED':
      status = 'exited';
      exitCode = snapshot.exitStatus;
      finishedAt = snapshot.exitedAt ?? labelFinishedAt;
      break;
    case undefined:
      if (labelExitCode !== undefined && !Number.isNaN(labelExitCode)) {
        status = 'exited';
        exitCode = labelExitCode;
      } else if (startedAt) {
        status = 'exited';
        exitCode = UNKNOWN_EXIT_CODE;
      } else {
        status = 'created';
      }
      break;
    default:
      // UNKNOWN: the shim no longer answers for the task
      status = 'dead';
      exitCode = labelExitCode ?? 0;
  }

  if ((status === 'exited' || status === 'created') && isRestarting(labels, snapshot?.status, parseDate(labels[LABELS.restartDue]), Date.now())) {
    status = 'restarting';
    if (labelExitCode !== undefined && !Number.isNaN(labelExitCode) && snapshot?.status !== 'STOPPED') exitCode = labelExitCode;
  }

  const kubernetes = kubernetesInfo(labels);
  const record = {
    id: container.id,
    name: labels[LABELS.name] ?? (kubernetes ? kubernetesName(kubernetes) : container.id),
    container,
    kubernetes,
    userLabels,
    created: timestampToDate(container.created_at) ?? new Date(0),
    task: snapshot,
    status,
    exitCode,
    startedAt,
    finishedAt,
    command: [] as readonly string[],
    imageAsTyped: labels[LABELS.imageAsTyped] ?? container.image,
    imageId: labels[LABELS.imageId] ?? '',
  };
  // Another client's container (the kubelet's) has no command label: its spec says what runs,
  // parsed only if a listing shows it.
  const commandLabel = labels[LABELS.command];
  if (commandLabel !== undefined || !container.spec?.value?.length) record.command = parseCommand(commandLabel);
  else {
    let command: readonly string[] | undefined;
    Object.defineProperty(record, 'command', { get: () => (command ??= specCommand(container.spec!.value)), enumerable: true });
  }
  return record;
}

/**
 * process.args of an OCI spec. Read from the bytes without parsing the whole spec: JSON.parse of
 * every Kubernetes container's spec was a tenth of a 300-container listing. Go (and berth) write
 * `process` near the start with `args` before `env`, so its first `"args":` after `"process":`
 * is the one; anything unexpected falls back to parsing it all.
 */
export function specCommand(spec: Buffer): string[] {
  const start = argsStart(spec);
  const end = start < 0 ? -1 : jsonArrayEnd(spec, start);
  if (end > 0) {
    try {
      const args: unknown = JSON.parse(spec.toString('utf8', start, end + 1));
      if (Array.isArray(args)) return args.map(String);
    } catch {
      // not what it seemed: parse the whole spec below
    }
  }
  try {
    const args = (JSON.parse(spec.toString('utf8')) as { process?: { args?: unknown } }).process?.args;
    return Array.isArray(args) ? args.map(String) : [];
  } catch {
    return [];
  }
}

/** Where the `[` of process.args is, or -1. */
function argsStart(spec: Buffer): number {
  const process = spec.indexOf('"process":');
  const args = process < 0 ? -1 : spec.indexOf('"args":', process);
  if (args < 0) return -1;
  let index = args + '"args":'.length;
  while (spec[index] === 0x20) index += 1;
  return spec[index] === 0x5b ? index : -1;
}

/** The index of the `]` closing the JSON array that starts at `start`, or -1. */
function jsonArrayEnd(bytes: Buffer, start: number): number {
  let inString = false;
  for (let index = start + 1; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (inString) {
      if (byte === 0x5c) index += 1; // the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5d) return index;
    else if (byte === 0x5b || byte === 0x7b) return -1; // args holds strings only
  }
  return -1;
}
