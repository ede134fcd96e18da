// A container's init task: created with its IO, started, waited for, signalled and deleted.
// When berth deletes a finished task it keeps the exit code and time in the container's
// labels: the task (and its shim) are gone, Docker's `Exited (3) 2 minutes ago` stays.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Container, Timestamp } from '../containerd/types.js';
import { timestampToDate } from '../containerd/types.js';
import type { Mount } from '../containerd/snapshots.js';
import { LABELS } from './labels.js';

export interface TaskStdio {
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly terminal: boolean;
}

export interface ExitStatus {
  readonly exitCode: number;
  readonly exitedAt?: Date;
}

interface ProcessMessage {
  id: string;
  pid: number;
  status: string;
  exit_status: number;
  exited_at: Timestamp | null;
}

/** The init task's process, or undefined when the container has no task. */
export async function getTask(context: RuntimeContext, id: string): Promise<ProcessMessage | undefined> {
  try {
    const { process } = await context.containerd.unary<{ process: ProcessMessage }>('tasks', 'Get', { container_id: id });
    return process;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    throw error;
  }
}

/**
 * Docker's exit codes for a command that cannot run: 127 not found, 126 not executable.
 * runc reports both from `Tasks.Create`; the message is kept as runc wrote it.
 */
function taskCreateError(error: unknown): BerthError {
  const message = error instanceof Error ? error.message : String(error);
  const category = error instanceof BerthError ? error.category : 'internal';
  let exitCode: number | undefined;
  if (/executable file not found|no such file or directory/.test(message)) exitCode = 127;
  else if (/permission denied|is a directory|exec format error/.test(message)) exitCode = 126;
  return new BerthError(category, `failed to create task for container: ${message}`, { cause: error, exitCode: exitCode ?? 125 });
}

/** Tasks.Create with the snapshot's mounts as rootfs; returns the pid. */
/** `rootfs`: the snapshot's mounts when the caller has them (a container just created), else looked up */
export async function createTask(context: RuntimeContext, container: Container, stdio: TaskStdio, rootfs?: readonly Mount[]): Promise<number> {
  const { containerd } = context;
  const mounts = rootfs ?? (await containerd.unary<{ mounts: Mount[] }>('snapshots', 'Mounts', { snapshotter: container.snapshotter, key: container.snapshot_key })).mounts;
  try {
    const { pid } = await containerd.unary<{ pid: number }>(
      'tasks',
      'Create',
      { container_id: container.id, rootfs: mounts, stdin: stdio.stdin, stdout: stdio.stdout, stderr: stdio.stderr, terminal: stdio.terminal },
      // the shim starts, runc creates the container, the logger signals ready: slow on a busy host
      { timeoutMs: 120_000 },
    );
    return pid;
  } catch (error) {
    throw taskCreateError(error);
  }
}

/** Resolves when the process exits; call before Start so a fast exit is not missed. */
export function waitForExit(context: RuntimeContext, id: string, execId = ''): Promise<ExitStatus> {
  return context.containerd
    .unary<{ exit_status: number; exited_at: Timestamp | null }>('tasks', 'Wait', { container_id: id, exec_id: execId }, { timeoutMs: Infinity })
    .then((response) => ({ exitCode: response.exit_status, exitedAt: timestampToDate(response.exited_at) }));
}

/**
 * Tasks.Start, with the start time and `labels` (set or, when undefined, removed) in one update.
 * The restart monitor's labels wait for the start (the monitor replaces a task it finds merely
 * created); the start time alone goes side by side with it, and back to `previousStartedAt`
 * when the start fails.
 */
export async function startTask(context: RuntimeContext, id: string, labels: Record<string, string | undefined> = {}, previousStartedAt?: string): Promise<void> {
  // taken before Start: a process that exits at once must not look as if it finished before it started
  const startedAt = new Date().toISOString();
  const starting = context.containerd.unary('tasks', 'Start', { container_id: id, exec_id: '' });
  if (Object.keys(labels).length > 0) {
    await starting;
    await setLabels(context, id, { ...labels, [LABELS.startedAt]: startedAt });
    return;
  }
  const [started, labelled] = await Promise.allSettled([starting, setLabels(context, id, { [LABELS.startedAt]: startedAt })]);
  if (started.status === 'rejected') {
    if (labelled.status === 'fulfilled') await setLabels(context, id, { [LABELS.startedAt]: previousStartedAt }).catch(() => undefined);
    throw started.reason;
  }
  if (labelled.status === 'rejected') throw labelled.reason;
}

/** Sets labels; a key whose value is undefined is removed (in the mask, absent from the map). */
export async function setLabels(context: RuntimeContext, id: string, labels: Record<string, string | undefined>): Promise<void> {
  const values = Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => entry[1] !== undefined));
  await context.containerd.unary('containers', 'Update', {
    container: { id, labels: values },
    update_mask: { paths: Object.keys(labels).map((key) => `labels.${key}`) },
  });
}

/** Sends `signal` to the init process; Docker's error when it is not running. */
export async function signalTask(context: RuntimeContext, id: string, signal: number, all = false): Promise<void> {
  try {
    await context.containerd.unary('tasks', 'Kill', { container_id: id, exec_id: '', signal, all });
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') {
      throw new BerthError('failed-precondition', `container ${id} is not running`, { cause: error });
    }
    throw error;
  }
}

/**
 * Deletes a finished task and records its exit in the container's labels. Undefined when
 * there was no task (someone else reaped it: the detached reaper and a foreground run race).
 */
export interface DeleteTaskOptions {
  /** false: the exit is not written to the container's labels (a `--rm` container goes next) */
  readonly recordExit?: boolean;
}

export function deleteTask(context: RuntimeContext, id: string, options: DeleteTaskOptions = {}): Promise<ExitStatus | undefined> {
  return deleteTaskOnce(context, id, options, false);
}

async function deleteTaskOnce(context: RuntimeContext, id: string, options: DeleteTaskOptions, retried: boolean): Promise<ExitStatus | undefined> {
  let response: { exit_status: number; exited_at: Timestamp | null };
  try {
    response = await context.containerd.unary('tasks', 'Delete', { container_id: id });
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    // Another berth (the reaper, a foreground run) deleted it at the same moment: the shim exited
    // under our call. Gone is what we wanted; a task still there gets one more try.
    if (retried || !/ttrpc: closed/.test(String((error as Error).message))) throw error;
    try {
      await context.containerd.unary('tasks', 'Get', { container_id: id });
    } catch (lookup) {
      if (lookup instanceof BerthError && lookup.category === 'not-found') return undefined;
      throw error;
    }
    return deleteTaskOnce(context, id, options, true);
  }
  const exitedAt = timestampToDate(response.exited_at) ?? new Date();
  if (options.recordExit === false) return { exitCode: response.exit_status, exitedAt };
  await setLabels(context, id, { [LABELS.exitCode]: String(response.exit_status), [LABELS.finishedAt]: exitedAt.toISOString() }).catch((error: unknown) => {
    if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
  });
  return { exitCode: response.exit_status, exitedAt };
}

/** Waits for an exit up to `timeoutMs`; false on timeout. */
export async function waitWithTimeout(context: RuntimeContext, id: string, timeoutMs: number): Promise<boolean> {
  if (timeoutMs < 0) {
    await waitForExit(context, id);
    return true;
  }
  try {
    await context.containerd.unary('tasks', 'Wait', { container_id: id, exec_id: '' }, { timeoutMs: Math.max(timeoutMs, 1) });
    return true;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'deadline-exceeded') return false;
    throw error;
  }
}
