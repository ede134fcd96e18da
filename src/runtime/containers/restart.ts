// Restart policies without a daemon. `always` and `unless-stopped` are handed to containerd's
// restart monitor (labels set at each start, never at create: the monitor starts *any*
// container labelled running that has no running task), which also brings them back after
// containerd or the host restarted. What the monitor cannot do — `on-failure[:N]`, containers
// with a terminal — berth's reaper does when the container's logger reports the exit.

import type { LoggerProxy } from '../logging/logger-config.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { timestampToDate, type Container } from '../containerd/types.js';
import type { CreateIntent } from '../intent.js';
import type { LogSettings } from '../logging/task-io.js';
import { LABELS, RESTART_MONITOR_LABELS } from './labels.js';
import { hasRestartPolicy, monitorLabels, monitorKeepsRunning, restarterFor, type RestartPolicy } from './restart-policy.js';
import { getTask, setLabels } from './task.js';

type LabelChanges = Record<string, string | undefined>;

interface PluginMessage {
  id: string;
  init_err?: { code: number } | null;
}

const monitorChecks = new WeakMap<object, Promise<boolean>>();

/** containerd's restart monitor is loaded (not disabled in its config, initialised without error). */
export function restartMonitorAvailable(context: RuntimeContext): Promise<boolean> {
  let check = monitorChecks.get(context.containerd);
  if (!check) {
    check = context.containerd
      .unary<{ plugins: PluginMessage[] }>('introspection', 'Plugins', { filters: ['type==io.containerd.internal.v1,id==restart'] }, { namespace: null })
      .then(({ plugins }) => plugins.some((plugin) => !plugin.init_err || plugin.init_err.code === 0));
    monitorChecks.set(context.containerd, check);
  }
  return check;
}

function hasRestartLabels(container: Container): boolean {
  const labels = container.labels;
  return (
    labels[RESTART_MONITOR_LABELS.status] !== undefined ||
    labels[LABELS.restartDue] !== undefined ||
    labels[LABELS.manuallyStopped] !== undefined ||
    labels[LABELS.restartCount] !== undefined
  );
}

export interface StartFacts {
  readonly log: LogSettings;
  /** the reaper's argv, which the monitor's tasks' logger runs too */
  readonly onExit: string[];
  /** a restart by the policy keeps its count and back-off; a user's start begins them anew, as Docker's does */
  readonly byPolicy: boolean;
  /** the ports the logger proxies (IPv6 host addresses), for the monitor's tasks' logger too */
  readonly proxies?: readonly LoggerProxy[];
}

/** The labels a start sets (and removes, as undefined) for the container's restart policy; set after Tasks.Start. */
export async function restartLabelsForStart(context: RuntimeContext, container: Container, intent: CreateIntent, facts: StartFacts): Promise<LabelChanges> {
  const policy = intent.HostConfig.RestartPolicy;
  if (!hasRestartPolicy(policy) && !hasRestartLabels(container)) return {};
  const changes: LabelChanges = {
    [LABELS.manuallyStopped]: undefined,
    [LABELS.restartDue]: undefined,
    [RESTART_MONITOR_LABELS.status]: undefined,
    [RESTART_MONITOR_LABELS.logUri]: undefined,
  };
  if (!facts.byPolicy) Object.assign(changes, { [LABELS.restartCount]: undefined, [LABELS.restartBackoff]: undefined });
  const tty = intent.Tty === true;
  if (restarterFor(policy, { tty, monitorAvailable: hasRestartPolicy(policy) && (await restartMonitorAvailable(context)) }) === 'monitor') {
    const { prepareRestartLogUri } = await import('../logging/task-io.js');
    const uri = await prepareRestartLogUri({ config: context.config, namespace: context.containerd.namespace, id: container.id, log: facts.log, onExit: facts.onExit, proxies: facts.proxies });
    Object.assign(changes, monitorLabels(uri));
  }
  return changes;
}

/**
 * `stop`, `kill`, `rm -f`: no policy restarts the container until it is started again (Docker's
 * HasBeenManuallyStopped). The monitor's label goes first — never flipped to `stopped`, which
 * would make the monitor SIGKILL the task in the middle of a graceful stop.
 */
export async function markManuallyStopped(context: RuntimeContext, container: Container, policy: RestartPolicy | undefined): Promise<void> {
  if (!hasRestartPolicy(policy) && !hasRestartLabels(container)) return;
  await setLabels(context, container.id, {
    [LABELS.manuallyStopped]: 'true',
    [LABELS.restartDue]: undefined,
    [RESTART_MONITOR_LABELS.status]: undefined,
    [RESTART_MONITOR_LABELS.logUri]: undefined,
  });
}

/**
 * `pause` tells the monitor to leave the frozen task alone (it would kill and restart any task
 * not running), `unpause` hands it back; call before Pause and after Resume.
 */
export async function setMonitorPaused(context: RuntimeContext, container: Container, paused: boolean): Promise<void> {
  if (container.labels[RESTART_MONITOR_LABELS.status] === undefined) return;
  await setLabels(context, container.id, { [RESTART_MONITOR_LABELS.status]: paused ? 'paused' : 'running' });
}

const NEXT_RUN_POLL_MS = 200;
/** containerd's default monitor interval is 10 s; a run not seen by then keeps the previous start time */
const NEXT_RUN_WAIT_MS = 30_000;

/**
 * The reaper for a container containerd's monitor restarts: this run's exit is recorded and
 * counted as a restart, and once the monitor has started the next run its start time is
 * noted (the monitor itself writes no berth label). The task is left to the monitor, which
 * deletes it itself: deleting it here could hit the next run between its Create and Start.
 */
export async function recordMonitoredExit(context: RuntimeContext, container: Container): Promise<void> {
  const task = await getTask(context, container.id);
  const count = (Number.parseInt(container.labels[LABELS.restartCount] ?? '0', 10) || 0) + 1;
  const changes: LabelChanges = { [LABELS.restartCount]: String(count) };
  if (task?.status === 'STOPPED') {
    const exitedAt = timestampToDate(task.exited_at) ?? new Date();
    Object.assign(changes, { [LABELS.exitCode]: String(task.exit_status), [LABELS.finishedAt]: exitedAt.toISOString() });
  }
  await setLabels(context, container.id, changes).catch(ignoreNotFound);
  const deadline = Date.now() + NEXT_RUN_WAIT_MS;
  while (Date.now() < deadline) {
    const next = await getTask(context, container.id);
    // (a run already going when the reaper came is dated now: close enough)
    if (next && next.status === 'RUNNING' && (task?.status !== 'STOPPED' || next.pid !== task.pid)) {
      await setLabels(context, container.id, { [LABELS.startedAt]: new Date().toISOString() }).catch(ignoreNotFound);
      return;
    }
    await sleep(NEXT_RUN_POLL_MS);
  }
}

export function underRestartMonitor(container: Container): boolean {
  return monitorKeepsRunning(container.labels);
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
}
