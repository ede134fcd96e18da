// When a container's logger runs the next probe. No imports: this is part of the logger's
// bundle, and every running container pays for that process's memory.

/** The schedule and the verdict's rules with Docker's defaults in place, in milliseconds. */
export interface ProbeTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
  readonly retries: number;
}

/**
 * The wait before the next probe (daemon/health.go's getInterval): the start interval while
 * the container is in its start period and not yet found healthy, the interval otherwise.
 */
export function nextProbeDelay(timing: ProbeTiming, sinceStartMs: number, status: string | undefined): number {
  if (sinceStartMs >= timing.startPeriodMs) return timing.intervalMs;
  return status === 'starting' ? timing.startIntervalMs : timing.intervalMs;
}
