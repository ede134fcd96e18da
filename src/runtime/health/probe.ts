// Health checks without a daemon. A container with a check has its state reset to `starting`
// by every start (prepareHealthMonitor), which also gives the container's logger — the process
// that lives exactly as long as the container — a probe loop to run beside it: a shell that
// sleeps, runs one `berth internal healthcheck <id>` (runHealthcheck: the test is exec'd in the
// container as Docker's daemon execs it, killed when it overruns its timeout, the verdict
// recorded) and sleeps for as long as that probe says Docker's monitor would wait.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Container } from '../containerd/types.js';
import { deleteExec, startExec, type StartedExec } from '../containers/exec.js';
import { LABELS } from '../containers/labels.js';
import { getContainer, internalCommand, storedIntent } from '../containers/lifecycle.js';
import { processControls } from '../containers/process-controls.js';
import { getTask } from '../containers/task.js';
import type { CreateIntent } from '../intent.js';
import type { LoggerHealth } from '../logging/logger-config.js';
import { containerDirectory } from '../paths.js';
import { SIGKILL } from '../signals.js';
import { formatGoDuration } from '../../format/go-duration.js';
import { nextProbeDelay, probeCommand, probeTiming } from './config.js';
import { LimitedOutput, applyResult, healthStatePath, readHealthState, startingState, writeHealthState, type HealthResult } from './state.js';

/** How long a killed probe (or the IO of one) may take to go away before berth stops waiting. */
const KILL_GRACE_MS = 5_000;

function stateFileOf(context: RuntimeContext, id: string): string {
  return healthStatePath(containerDirectory(context.config, context.containerd.namespace, id));
}

/**
 * The logger's probe loop: `$1` the first wait, `$2` the wait after a probe that failed to say,
 * then berth's argv. A probe prints the next wait in seconds, or nothing when the container no
 * longer runs; the loop also ends with the logger that started it (its parent).
 */
const PROBE_LOOP =
  'delay=$1 fallback=$2; shift 2; ' +
  'while sleep "$delay" && kill -0 "$PPID" 2>/dev/null; do delay=$("$@") || delay=$fallback; [ -n "$delay" ] || exit 0; done';

const seconds = (ms: number) => String(ms / 1000);

/**
 * Before a container with a health check starts: its state back to `starting` (the log kept),
 * and the probe loop its logger runs. Undefined when there is nothing to check.
 */
export async function prepareHealthMonitor(context: RuntimeContext, id: string, intent: CreateIntent): Promise<LoggerHealth | undefined> {
  if (!probeCommand(intent.Healthcheck) || !intent.Healthcheck) return undefined;
  const stateFile = stateFileOf(context, id);
  await writeHealthState(stateFile, startingState(await readHealthState(stateFile)));
  const timing = probeTiming(intent.Healthcheck);
  const first = nextProbeDelay(timing, 0, 'starting');
  return { command: ['/bin/sh', '-c', PROBE_LOOP, 'sh', seconds(first), seconds(timing.intervalMs), ...internalCommand(context, 'healthcheck', id)] };
}

/** Go's RFC 3339 with nanoseconds: no trailing zeros in the fraction. */
function timeText(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}

/**
 * One probe of container `id`, its result recorded in the container's health state; returns
 * the wait before the next probe (ms), undefined when the container no longer runs. Nothing
 * is recorded when the container has stopped, or when `abort` fires: the logger stops its
 * probes when the container ends, as Docker's monitor drops a probe cut short.
 */
export async function runHealthcheck(context: RuntimeContext, id: string, abort?: AbortSignal): Promise<number | undefined> {
  const container = await getContainer(context, id);
  if (!container) return undefined;
  const intent = storedIntent(container);
  const command = probeCommand(intent.Healthcheck);
  if (!command || !intent.Healthcheck) return undefined;
  const timing = probeTiming(intent.Healthcheck);
  const startedText = container.labels[LABELS.startedAt];
  const startedAt = startedText ? new Date(startedText) : undefined;
  const stateFile = stateFileOf(context, id);
  const result = await probe(context, container, command, timing.timeoutMs, abort);
  if (abort?.aborted) return undefined;
  const task = await getTask(context, id);
  if (task?.status !== 'RUNNING' && task?.status !== 'PAUSED') return undefined;
  // a paused container is not probed, as Docker's monitor pauses with it
  let state = (await readHealthState(stateFile)) ?? startingState();
  if (result && task.status === 'RUNNING') {
    state = applyResult(state, result, { retries: timing.retries, startPeriodMs: timing.startPeriodMs, startedAt });
    await writeHealthState(stateFile, state);
  }
  return nextProbeDelay(timing, Date.now() - (startedAt?.getTime() ?? 0), state.Status);
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]).finally(() => clearTimeout(timer));
}

/** Runs the test once; undefined when the container is not running, so there is nothing to judge. */
async function probe(context: RuntimeContext, container: Container, command: string[], timeoutMs: number, abort?: AbortSignal): Promise<HealthResult | undefined> {
  const start = new Date();
  const failed = (output: string): HealthResult => ({ Start: timeText(start), End: timeText(new Date()), ExitCode: -1, Output: output });
  if (command.length === 0) return failed(`healthcheck for container ${container.id} has no command`);
  let exec: StartedExec;
  try {
    exec = await startExec(context, container, { args: command, env: [], tty: false, openStdin: false, privileged: false, detach: false });
  } catch (error) {
    // not running or paused: Docker's monitor is stopped then, and nothing is recorded
    if (error instanceof BerthError && error.category === 'failed-precondition') return undefined;
    return failed(error instanceof Error ? error.message : String(error));
  }
  const output = new LimitedOutput();
  exec.io.attached?.onOutput((_stream, chunk) => output.add(chunk));
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const aborted = new Promise<'aborted'>((resolve) => {
    if (abort?.aborted) resolve('aborted');
    abort?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const outcome = await Promise.race([exec.exit, overran, aborted]);
    if (typeof outcome === 'string') {
      await processControls(context, container.id, exec.execId).signal(SIGKILL).catch(() => undefined);
      await within(exec.exit.catch(() => undefined), KILL_GRACE_MS);
      if (outcome === 'aborted') return undefined;
      await within(exec.io.attached?.done ?? Promise.resolve(), KILL_GRACE_MS);
      const seen = output.text();
      const limit = formatGoDuration(timeoutMs * 1e6);
      return failed(seen === '' ? `Health check exceeded timeout (${limit})` : `Health check exceeded timeout (${limit}): ${seen}`);
    }
    // the output is complete once the exec's FIFOs close after its exit
    await within(exec.io.attached?.done ?? Promise.resolve(), KILL_GRACE_MS);
    return { Start: timeText(start), End: timeText(new Date()), ExitCode: outcome.exitCode, Output: output.text() };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
    await exec.io.release().catch(() => undefined);
    await deleteExec(context, container.id, exec.execId);
  }
}
