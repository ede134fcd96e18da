// The lifecycle operations every container command is made of: start with IO, stop with the
// stop signal then SIGKILL, kill, remove with everything the container owned, and the reaper
// that records a detached container's exit (and removes it for `--rm`) once it is over.

import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { timestampToDate, type Container, type Timestamp } from '../containerd/types.js';
import { parseCreateIntent, type CreateIntent } from '../intent.js';
import { berthCommandLine, containerDirectory } from '../paths.js';
import { SIGKILL, parseSignal } from '../signals.js';
import { EXTENSIONS, LABELS, RESTART_MONITOR_LABELS } from './labels.js';
import { nameRelease } from './name-reservation.js';
import { networkLost } from './network-restore.js';
import { markManuallyStopped, recordMonitoredExit, restartLabelsForStart, underRestartMonitor } from './restart.js';
import { hasRestartPolicy, planRestart } from './restart-policy.js';
import { createTask, deleteTask, getTask, setLabels, signalTask, startTask, waitForExit, waitWithTimeout, type ExitStatus } from './task.js';
import type { TaskIO } from '../logging/task-io.js';
import type { Mount } from '../containerd/snapshots.js';

export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

export async function getContainer(context: RuntimeContext, id: string): Promise<Container | undefined> {
  try {
    const { container } = await context.containerd.unary<{ container: Container }>('containers', 'Get', { id });
    return container;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    throw error;
  }
}

/** The create request the container was made from, as stored at create. */
export function storedIntent(container: Container): CreateIntent {
  const extension = container.extensions[EXTENSIONS.intent];
  if (!extension) {
    // created by another client (ctr, nerdctl, the kubelet): what berth needs has defaults
    return parseCreateIntent({ Image: container.image || 'unknown' });
  }
  return parseCreateIntent(JSON.parse(Buffer.from(extension.value).toString('utf8')));
}

export function containerName(container: Container): string {
  return container.labels[LABELS.name] ?? container.id;
}

/** `berth internal …` as the logger runs it, against this containerd, namespace and data root. */
export function internalCommand(context: RuntimeContext, ...args: string[]): string[] {
  const { config, containerd } = context;
  return [
    ...berthCommandLine(),
    '--address', config.address,
    '--namespace', containerd.namespace,
    '--data-root', config.dataRoot,
    '--snapshotter', config.snapshotter,
    'internal', ...args,
  ];
}

/** What a detached logger runs when the container's output ends: record the exit, `--rm`. */
export function reaperCommand(context: RuntimeContext, id: string, remove: boolean): string[] {
  return internalCommand(context, 'reap', id, ...(remove ? ['--remove'] : []));
}

/** Ports published on an IPv6 host address, which the container's logger proxies (none for most). */
async function proxiedPorts(container: Container) {
  if (!container.labels[LABELS.ports]) return undefined;
  const { loggerProxies } = await import('../network/attach.js');
  const proxies = await loggerProxies(container.id);
  return proxies.length > 0 ? proxies : undefined;
}

/** Volumes with mount options are mounted at first use; after a reboot, that is this start. */
async function mountVolumesOf(context: RuntimeContext, container: Container): Promise<void> {
  if (!container.extensions?.[EXTENSIONS.volumes]) return;
  const { storedVolumeMounts } = await import('../volumes/container-volumes.js');
  const { getVolume, mountVolume } = await import('../volumes/store.js');
  for (const point of storedVolumeMounts(container)) {
    if (point.Type !== 'volume' || !point.Name) continue;
    const volume = await getVolume(context, point.Name).catch(() => undefined);
    if (volume) await mountVolume(volume);
  }
}

export interface StartOptions {
  /** show output (and feed stdin with `openStdin`) in this process */
  readonly attach: boolean;
  /** connect the container's stdin (`-i`) */
  readonly openStdin: boolean;
  /** just created by this berth: it has no task to look for, and these are its root filesystem's mounts */
  readonly fresh?: { readonly rootfs: readonly Mount[] };
  /** berth's reaper restarting it by its policy: RestartCount and the back-off go on */
  readonly byPolicy?: boolean;
}

export interface StartedContainer {
  readonly io: TaskIO;
  readonly exit: Promise<ExitStatus>;
}

/**
 * Starts the container's task: a finished task is deleted first (`start` again, `restart`),
 * IO is prepared (the logger is always there: output reaches the log even when nobody
 * watches), and Wait is in place before Start so a fast exit is not missed.
 */
export async function startContainer(context: RuntimeContext, container: Container, options: StartOptions): Promise<StartedContainer> {
  const existing = options.fresh ? undefined : await getTask(context, container.id);
  if (existing && (existing.status === 'RUNNING' || existing.status === 'PAUSED' || existing.status === 'PAUSING')) {
    throw new BerthError('failed-precondition', `container ${container.id} is already running`);
  }
  if (existing) await deleteTask(context, container.id);

  const intent = storedIntent(container);
  if (networkLost(container, intent)) await (await import('./network-restore.js')).restoreNetwork(context, container, intent);
  await mountVolumesOf(context, container);
  const { prepareInitIO, parseLogSettings } = await import('../logging/task-io.js');
  const autoRemove = container.labels[LABELS.autoRemove] === 'true';
  // every start resets the health to `starting`, as Docker's does
  const health = container.labels[LABELS.healthcheck] === 'true' ? await (await import('../health/probe.js')).prepareHealthMonitor(context, container.id, intent) : undefined;
  const log = parseLogSettings(intent.HostConfig.LogConfig?.Type, intent.HostConfig.LogConfig?.Config ?? undefined);
  const onExit = reaperCommand(context, container.id, autoRemove);
  const proxies = await proxiedPorts(container);
  const restartLabels = await restartLabelsForStart(context, container, intent, { log, onExit, byPolicy: options.byPolicy === true, proxies });
  const io = await prepareInitIO({
    config: context.config,
    namespace: context.containerd.namespace,
    id: container.id,
    log,
    tty: intent.Tty === true,
    openStdin: options.openStdin,
    attach: options.attach,
    onExit,
    attachReaps: options.attach && !hasRestartPolicy(intent.HostConfig.RestartPolicy),
    proxies,
    health,
    restartMonitored: restartLabels[RESTART_MONITOR_LABELS.status] === 'running',
  });
  try {
    await createTask(context, container, { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, terminal: intent.Tty === true }, options.fresh?.rootfs);
    // No waiting for the logger to connect: until it does, output waits in the shim's pipes and
    // its own socket buffer, in order; the attach session gives up if it never comes.
    io.attached?.ready.catch(() => undefined);
    const exit = waitForExit(context, container.id);
    exit.catch(() => undefined);
    // the logger learns of the exit from containerd's event at once, not at its next look
    if (io.attached) void exit.then(() => io.attached!.processExited(), () => undefined);
    // the restart monitor's labels only now: it would kill a task it finds merely created
    await startTask(context, container.id, restartLabels, container.labels[LABELS.startedAt]);
    return { io, exit };
  } catch (error) {
    await deleteTask(context, container.id).catch(() => undefined);
    await io.abort().catch(() => undefined);
    throw error;
  }
}

export interface StopOptions {
  /** seconds before SIGKILL; undefined = the container's `--stop-timeout`, else 10; -1 waits forever */
  readonly timeoutSeconds?: number;
  /** default: the container's stop signal */
  readonly signal?: string;
  /** `restart`: a `--rm` container is not removed by this stop */
  readonly keepAutoRemoved?: boolean;
}

/** Docker's stop: the stop signal, SIGKILL after the timeout, then the task is reaped. */
export async function stopContainer(context: RuntimeContext, container: Container, options: StopOptions = {}): Promise<void> {
  const monitored = underRestartMonitor(container);
  // also while the container waits to be restarted: the restart is off
  await markManuallyStopped(context, container, storedIntent(container).HostConfig.RestartPolicy);
  await endAndDeleteTask(context, container.id, monitored, () => endTask(context, container, options), () => deleteTask(context, container.id));
  // the logger leaves the reaping to whoever deletes the task: `--rm` is ours to honour here
  if (container.labels[LABELS.autoRemove] === 'true' && !options.keepAutoRemoved) await removeContainer(context, container, { force: true });
}

/**
 * containerd's restart monitor reads the labels, then acts on what it read: a pass that began
 * before the labels were taken away may start a task once more after they were. That happens
 * at most once per pass, soon after; a few rounds and a short look afterwards settle it.
 */
const MONITOR_ROUNDS = 4;
const MONITOR_SETTLE_MS = 400;

/** Ends and deletes the task, again if the monitor started another meanwhile. */
async function endAndDeleteTask(
  context: RuntimeContext,
  id: string,
  monitored: boolean,
  end: () => Promise<void>,
  remove: () => Promise<unknown>,
): Promise<void> {
  for (let round = 1; ; round += 1) {
    await end();
    try {
      await remove();
    } catch (error) {
      if (monitored && round < MONITOR_ROUNDS && isRunningProcessRefusal(error)) continue;
      throw error;
    }
    if (!monitored || round >= MONITOR_ROUNDS || !(await monitorStartsAnother(context, id))) return;
  }
}

async function monitorStartsAnother(context: RuntimeContext, id: string): Promise<boolean> {
  const until = Date.now() + MONITOR_SETTLE_MS;
  while (Date.now() < until) {
    await sleep(50);
    if (await getTask(context, id)) return true;
  }
  return false;
}

function isRunningProcessRefusal(error: unknown): boolean {
  return error instanceof BerthError && /cannot delete a running process/.test(error.message);
}

/** The stop signal, SIGKILL after the timeout; returns when the task is not running. */
async function endTask(context: RuntimeContext, container: Container, options: StopOptions): Promise<void> {
  const task = await getTask(context, container.id);
  if (!task) return;
  if (task.status === 'RUNNING' || task.status === 'PAUSED' || task.status === 'PAUSING') {
    const signal = parseSignal(options.signal ?? container.labels[LABELS.stopSignal] ?? 'SIGTERM');
    const stored = Number(container.labels[LABELS.stopTimeout]);
    const timeout = options.timeoutSeconds ?? (Number.isInteger(stored) ? stored : DEFAULT_STOP_TIMEOUT_SECONDS);
    if (task.status !== 'RUNNING') await context.containerd.unary('tasks', 'Resume', { container_id: container.id }).catch(() => undefined);
    await signalTask(context, container.id, signal).catch(ignoreNotRunning);
    const exited = await waitWithTimeout(context, container.id, timeout < 0 ? -1 : timeout * 1000);
    if (!exited) {
      await signalTask(context, container.id, SIGKILL, true).catch(ignoreNotRunning);
      await waitForExit(context, container.id);
    }
  }
}

function ignoreNotRunning(error: unknown): void {
  if (!(error instanceof BerthError && error.category === 'failed-precondition')) throw error;
}

export async function isRunning(context: RuntimeContext, id: string): Promise<boolean> {
  const task = await getTask(context, id);
  return task !== undefined && task.status !== 'STOPPED' && task.status !== 'CREATED';
}

/** Docker's kill: a signal to the init process of a running container. */
export async function killContainer(context: RuntimeContext, container: Container, signal: string): Promise<void> {
  const number = parseSignal(signal);
  if (!(await isRunning(context, container.id))) {
    throw new BerthError('failed-precondition', `cannot kill container: ${containerName(container)}: container ${container.id} is not running`);
  }
  await markManuallyStopped(context, container, storedIntent(container).HostConfig.RestartPolicy);
  await signalTask(context, container.id, number);
}

export interface RemoveOptions {
  readonly force: boolean;
  /** `rm -v`: the container's anonymous volumes too (always for a `--rm` container, as Docker) */
  readonly volumes?: boolean;
  /** the caller has just deleted the task (a foreground `--rm` run): no need to look it up */
  readonly taskDeleted?: boolean;
  /** the container's networks, already being left (leaveNetworks) while its task was deleted */
  readonly networksLeft?: Promise<void>;
}

/** Container, task, rootfs snapshot, berth's directory and the name: all of it, or an error. */
export async function removeContainer(context: RuntimeContext, container: Container, options: RemoveOptions): Promise<void> {
  const { containerd, config } = context;
  const task = options.taskDeleted ? undefined : await getTask(context, container.id);
  const running = task !== undefined && task.status !== 'STOPPED' && task.status !== 'CREATED';
  if (running && !options.force) {
    throw new BerthError(
      'failed-precondition',
      `cannot remove container "/${containerName(container)}": container is running: stop the container before removing or force remove`,
    );
  }
  const monitored = underRestartMonitor(container);
  // the restart monitor must not start a task between the delete of the last one and the container's
  if (running || monitored) await markManuallyStopped(context, container, storedIntent(container).HostConfig.RestartPolicy);
  if (task || monitored) {
    let round = 0;
    const kill = async (): Promise<void> => {
      round += 1;
      if (!(round === 1 ? running : await isRunning(context, container.id))) return;
      await signalTask(context, container.id, SIGKILL, true).catch(ignoreNotRunning);
      await waitForExit(context, container.id);
    };
    // its exit is not recorded: the container goes
    const remove = () => containerd.unary('tasks', 'Delete', { container_id: container.id }).catch(ignoreNotFound);
    await endAndDeleteTask(context, container.id, monitored, kill, remove);
  }
  // What the record holds goes first, side by side (the network detach still reads the directory's
  // hosts file): the record goes last, so that a container gone from `ps` is gone entirely, and a
  // step that fails leaves it there for another `rm`.
  const name = container.labels[LABELS.name];
  const nameReleased = name ? nameRelease(containerd, name, container.id) : undefined;
  nameReleased?.catch(() => undefined);
  await allSettledOrThrow([
    container.snapshot_key ? containerd.unary('snapshots', 'Remove', { snapshotter: container.snapshotter, key: container.snapshot_key }).catch(ignoreNotFound) : undefined,
    (options.networksLeft ?? leaveNetworks(context, container)).then(() => rm(containerDirectory(config, containerd.namespace, container.id), { recursive: true, force: true })),
    nameReleased,
  ]);
  await containerd.unary('containers', 'Delete', { id: container.id }).catch(ignoreNotFound);
  // after the record: another container may take the name as soon as it is free
  if (nameReleased) await (await nameReleased)();
  if (options.volumes || container.labels[LABELS.autoRemove] === 'true') {
    const { removeAnonymousVolumes } = await import('../volumes/container-volumes.js');
    await removeAnonymousVolumes(context, container);
  }
}

/** Waits for every step (none is left running behind an error), then throws the first failure. */
async function allSettledOrThrow(steps: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The container's address, namespace and rules go with it; only containers on a network have any. */
export async function leaveNetworks(context: RuntimeContext, container: Container): Promise<void> {
  const { readAttachments, detachContainer } = await import('../network/attach.js');
  if (await readAttachments(container.id)) await detachContainer(context.config, container.id);
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
}

/**
 * Run by the logger (detached) when a container's output has ended: the task's exit is
 * recorded and its shim freed; with `--rm` the container goes too. Another berth may be doing
 * the same at the same moment (a foreground `run`), so everything tolerates "already gone".
 */
export async function reapContainer(context: RuntimeContext, id: string, remove: boolean): Promise<void> {
  // containerd may be down (restarting, or killed): the exit is still there when it is back
  const deadline = Date.now() + REAP_RETRY_MS;
  for (;;) {
    try {
      await reapOnce(context, id, remove);
      return;
    } catch (error) {
      if (!(error instanceof BerthError && error.category === 'unavailable') || Date.now() > deadline) throw error;
      await sleep(1000);
    }
  }
}

const REAP_RETRY_MS = 120_000;

async function reapOnce(context: RuntimeContext, id: string, remove: boolean): Promise<void> {
  const container = await getContainer(context, id);
  if (!container) return;
  if (underRestartMonitor(container)) {
    await recordMonitoredExit(context, container);
    return;
  }
  let task = await getTask(context, id);
  if (task && task.status !== 'STOPPED') {
    if (task.status === 'CREATED') return; // output ended before start: a failed start cleans up
    await waitForExit(context, id);
    task = await getTask(context, id);
  }
  // decided before the task goes, so that `ps` shows Restarting, never Exited, in between
  const restart = !remove && task?.status === 'STOPPED' ? await planRestartAfter(context, container, task) : undefined;
  const exit = await deleteTask(context, id);
  if (remove) await removeContainer(context, container, { force: true });
  else if (restart && exit) await restartWhenDue(context, id, restart);
  else if (restart) await setLabels(context, id, { [LABELS.restartDue]: undefined }).catch(() => undefined); // someone else reaped it
}

interface DueRestart {
  readonly due: string;
  readonly delayMs: number;
  readonly openStdin: boolean;
}

/**
 * What Docker's daemon does after an exit, done by the reaper: by the policy (`on-failure`, or
 * a container the monitor cannot start) the container is to start again after the back-off;
 * the count, the back-off and the due time go to its labels at once.
 */
async function planRestartAfter(context: RuntimeContext, container: Container, task: { exit_status: number; exited_at: Timestamp | null }): Promise<DueRestart | undefined> {
  const intent = storedIntent(container);
  const exit = { exitCode: task.exit_status, exitedAt: timestampToDate(task.exited_at) };
  const plan = planRestart(intent.HostConfig.RestartPolicy, container.labels, exit, Date.now());
  if (!plan) return undefined;
  const due = new Date(Date.now() + plan.delayMs).toISOString();
  await setLabels(context, container.id, { [LABELS.restartCount]: String(plan.restartCount), [LABELS.restartBackoff]: String(plan.delayMs), [LABELS.restartDue]: due });
  return { due, delayMs: plan.delayMs, openStdin: intent.OpenStdin === true };
}

/** A `stop`, `rm` or `start` meanwhile takes the due time away, and the restart is off. */
async function restartWhenDue(context: RuntimeContext, id: string, restart: DueRestart): Promise<void> {
  await sleep(restart.delayMs);
  const current = await getContainer(context, id);
  if (!current || current.labels[LABELS.restartDue] !== restart.due) return;
  try {
    const started = await startContainer(context, current, { attach: false, openStdin: restart.openStdin, byPolicy: true });
    await started.io.release();
  } catch (error) {
    await setLabels(context, id, { [LABELS.restartDue]: undefined }).catch(() => undefined);
    throw error;
  }
}
