// A container's health (inspect's State.Health) as Docker's daemon keeps it, kept by berth in a
// small file in the container's directory: reset to `starting` by every start, updated by each
// probe (`berth internal healthcheck`, which the container's logger runs), read by `ps` and
// `inspect`. Written whole to a temporary file and renamed, so a reader never sees half of it.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe: Docker's HealthcheckResult, times in RFC 3339. */
export interface HealthResult {
  readonly Start: string;
  readonly End: string;
  /** 0 healthy, 1 unhealthy, anything else (-1: could not run, timed out) a failure */
  readonly ExitCode: number;
  readonly Output: string;
}

export interface HealthState {
  readonly Status: HealthStatus;
  readonly FailingStreak: number;
  /** oldest first, the last MAX_LOG_ENTRIES */
  readonly Log: readonly HealthResult[];
}

/** Docker keeps the last five results and the first 4096 bytes of each one's output. */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;

/** `health.json` in the container's directory (see paths.ts' containerDirectory). */
export function healthStatePath(containerDirectory: string): string {
  return join(containerDirectory, 'health.json');
}

/** Docker's initHealthMonitor, on every start: `starting`, no failures counted, the log kept. */
export function startingState(previous?: HealthState): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: previous?.Log ?? [] };
}

export interface VerdictRules {
  /** consecutive failures that make a container unhealthy (≥ 1) */
  readonly retries: number;
  readonly startPeriodMs: number;
  /** when the container started: failures within the start period do not count while `starting` */
  readonly startedAt?: Date;
}

/** Docker's handleProbeResult: the log grows (last five kept), then the status follows the result. */
export function applyResult(state: HealthState, result: HealthResult, rules: VerdictRules): HealthState {
  const Log = [...state.Log, result].slice(-MAX_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (state.Status === 'starting' && rules.startedAt) {
    const sinceStart = Date.parse(result.Start) - rules.startedAt.getTime();
    if (sinceStart < rules.startPeriodMs) return { ...state, Log };
  }
  const FailingStreak = state.FailingStreak + 1;
  return { Status: FailingStreak >= rules.retries ? 'unhealthy' : state.Status, FailingStreak, Log };
}

/**
 * What `ps` and `inspect` show. Docker stops a container's monitor when it stops running (or is
 * paused), and a stopped monitor leaves `unhealthy` behind; berth's probes stop with the logger,
 * so that is derived here rather than written by every path that ends a container.
 */
export function shownState(state: HealthState, running: boolean): HealthState {
  return running ? state : { ...state, Status: 'unhealthy' };
}

/** Docker's limitedBuffer: the first 4096 bytes of stdout and stderr together, `...` when there was more. */
export class LimitedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  add(chunk: Buffer): void {
    const kept = chunk.subarray(0, Math.max(0, MAX_OUTPUT_BYTES - this.size));
    if (kept.length < chunk.length) this.truncated = true;
    if (kept.length === 0) return;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8') + (this.truncated ? '...' : '');
  }
}

function isState(value: unknown): value is HealthState {
  const state = value as HealthState | null;
  return (
    typeof state === 'object' && state !== null &&
    (state.Status === 'starting' || state.Status === 'healthy' || state.Status === 'unhealthy') &&
    Number.isInteger(state.FailingStreak) && Array.isArray(state.Log)
  );
}

/** The stored state; undefined when there is none (never started, or no health check) or it is unreadable. */
export async function readHealthState(path: string): Promise<HealthState | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isState(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeHealthState(path: string, state: HealthState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state)}\n`);
  await rename(temporary, path);
}
