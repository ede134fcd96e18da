// Docker's restart policies as decisions, without I/O: who restarts a container (containerd's
// restart monitor or berth's reaper), whether an exit is restarted, and how long to wait first.

import { LABELS, RESTART_MONITOR_LABELS } from './labels.js';

export interface RestartPolicy {
  readonly Name: string;
  readonly MaximumRetryCount?: number;
}

/**
 * `monitor`: containerd's restart monitor keeps the task running (it also does so after
 * containerd or the host restarted); `berth`: the reaper the logger starts restarts it;
 * `none`: nobody does.
 */
export type Restarter = 'monitor' | 'berth' | 'none';

export interface RestarterFacts {
  /** the container has a terminal: containerd's monitor starts tasks without one, which runc refuses */
  readonly tty: boolean;
  /** containerd has its restart monitor plugin loaded */
  readonly monitorAvailable: boolean;
}

export function hasRestartPolicy(policy: RestartPolicy | undefined): boolean {
  return policy !== undefined && policy.Name !== '' && policy.Name !== 'no';
}

/**
 * containerd 1.6's monitor knows only "keep running": `always` and `unless-stopped` go to it;
 * `on-failure` (labels for it came with containerd 1.7) and what the monitor cannot start go to berth.
 */
export function restarterFor(policy: RestartPolicy | undefined, facts: RestarterFacts): Restarter {
  if (!policy || !hasRestartPolicy(policy)) return 'none';
  if ((policy.Name === 'always' || policy.Name === 'unless-stopped') && !facts.tty && facts.monitorAvailable) return 'monitor';
  return 'berth';
}

/** Docker's restart manager: the decision for one exit of a container with `policy`. */
export function shouldRestart(policy: RestartPolicy | undefined, exitCode: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (!policy || !hasRestartPolicy(policy) || manuallyStopped) return false;
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const maximum = policy.MaximumRetryCount ?? 0;
      return exitCode !== 0 && (maximum === 0 || restartCount < maximum);
    }
    default:
      return false;
  }
}

export const BACKOFF = {
  firstMs: 100,
  multiplier: 2,
  maximumMs: 60_000,
  /** a run at least this long starts the back-off over */
  resetAfterMs: 10_000,
} as const;

/** Docker's back-off: 100 ms, doubling up to a minute, from the start again after a run of 10 s. */
export function nextBackoff(previousMs: number | undefined, ranForMs: number): number {
  if (previousMs === undefined || !(previousMs > 0) || ranForMs >= BACKOFF.resetAfterMs) return BACKOFF.firstMs;
  return Math.min(previousMs * BACKOFF.multiplier, BACKOFF.maximumMs);
}

/** Labels that hand a started container to containerd's monitor. */
export function monitorLabels(logUri: string): Record<string, string> {
  return { [RESTART_MONITOR_LABELS.status]: 'running', [RESTART_MONITOR_LABELS.logUri]: logUri };
}

/** Whether containerd's monitor keeps this container (by its labels) running right now. */
export function monitorKeepsRunning(labels: Readonly<Record<string, string>>): boolean {
  return labels[RESTART_MONITOR_LABELS.status] === 'running';
}

/**
 * Docker's state between an exit and the restart: containerd's monitor has yet to start the
 * task, or berth's reaper waits out its back-off (a due time long past means the reaper died).
 */
export function isRestarting(labels: Readonly<Record<string, string>>, taskStatus: string | undefined, restartDue: Date | undefined, now: number): boolean {
  if (taskStatus !== undefined && taskStatus !== 'STOPPED') return false;
  if (monitorKeepsRunning(labels)) return true;
  return restartDue !== undefined && now < restartDue.getTime() + RESTART_DUE_GRACE_MS;
}

/** How long after its due time a restart that did not happen still shows as Restarting. */
const RESTART_DUE_GRACE_MS = 30_000;

export interface RestartPlan {
  /** RestartCount once this restart is done (Docker counts it when it decides) */
  readonly restartCount: number;
  readonly delayMs: number;
}

/**
 * berth's reaper after an exit: restart (when, and as which restart) or not. The container's
 * labels hold what Docker's daemon keeps in memory: the count, the last back-off, the start time.
 */
export function planRestart(
  policy: RestartPolicy | undefined,
  labels: Readonly<Record<string, string>>,
  exit: { readonly exitCode: number; readonly exitedAt?: Date },
  now: number,
): RestartPlan | undefined {
  const count = Number.parseInt(labels[LABELS.restartCount] ?? '0', 10) || 0;
  if (!shouldRestart(policy, exit.exitCode, count, labels[LABELS.manuallyStopped] === 'true')) return undefined;
  const startedAt = Date.parse(labels[LABELS.startedAt] ?? '');
  const ranFor = Number.isNaN(startedAt) ? 0 : (exit.exitedAt?.getTime() ?? now) - startedAt;
  const previous = Number.parseInt(labels[LABELS.restartBackoff] ?? '', 10);
  return { restartCount: count + 1, delayMs: nextBackoff(Number.isNaN(previous) ? undefined : previous, ranFor) };
}
