// A container's health check as Docker describes it (Config.Healthcheck: the test and its
// timing in nanoseconds): from `--health-*` flags the way Docker's CLI builds it, merged with
// the image's HEALTHCHECK the way Docker's daemon does at create, and turned into what a probe
// runs and when. Pure: no I/O, nothing heavy (the logger bundle imports the timing part).

import { usageError } from '../../errors.js';

/** Docker's HealthConfig; durations in nanoseconds, a zero or absent field means "the default". */
export interface HealthConfig {
  /** [] inherit the image's; ["NONE"] disabled; ["CMD", argv…]; ["CMD-SHELL", command] */
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const MILLISECOND = 1e6;
const SECOND = 1e9;

/** Docker's defaults (daemon/health.go) for a zero field. */
export const HEALTH_DEFAULTS = {
  interval: 30 * SECOND,
  timeout: 30 * SECOND,
  startPeriod: 0,
  startInterval: 5 * SECOND,
  retries: 3,
} as const;

/** The `--health-*` and `--no-healthcheck` values as typed (durations already parsed to nanoseconds). */
export interface HealthFlags {
  readonly cmd?: string;
  readonly interval?: number;
  readonly timeout?: number;
  readonly startPeriod?: number;
  readonly startInterval?: number;
  readonly retries?: number;
  readonly disabled: boolean;
}

/**
 * Docker's CLI: no health setting leaves the image's check alone (undefined); `--no-healthcheck`
 * is Test ["NONE"] and excludes the others; otherwise the given fields, Test only with a command.
 */
export function healthConfigFromFlags(flags: HealthFlags): HealthConfig | undefined {
  const { cmd = '', interval = 0, timeout = 0, startPeriod = 0, startInterval = 0, retries = 0 } = flags;
  const given = cmd !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || retries !== 0 || startInterval !== 0;
  if (flags.disabled) {
    if (given) throw usageError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!given) return undefined;
  const negative: Array<[string, number]> = [
    ['interval', interval], ['timeout', timeout], ['retries', retries], ['start-period', startPeriod], ['start-interval', startInterval],
  ];
  for (const [name, value] of negative) if (value < 0) throw usageError(`--health-${name} cannot be negative`);
  return withoutZeros({ Test: cmd === '' ? undefined : ['CMD-SHELL', cmd], Interval: interval, Timeout: timeout, StartPeriod: startPeriod, StartInterval: startInterval, Retries: retries });
}

/** As Docker's JSON writes a HealthConfig: every field `omitempty`. */
export function withoutZeros(config: HealthConfig): HealthConfig {
  const result: HealthConfig = {};
  if (config.Test && config.Test.length > 0) result.Test = [...config.Test];
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) if (config[key]) result[key] = config[key];
  return result;
}

/** The daemon's merge at create: the user's fields win, each zero one comes from the image. */
export function mergeHealthConfig(user: HealthConfig | null | undefined, image: HealthConfig | null | undefined): HealthConfig | undefined {
  if (!image) return user ? withoutZeros(user) : undefined;
  if (!user) return withoutZeros(image);
  return withoutZeros({
    Test: user.Test && user.Test.length > 0 ? user.Test : image.Test,
    Interval: user.Interval || image.Interval,
    Timeout: user.Timeout || image.Timeout,
    StartPeriod: user.StartPeriod || image.StartPeriod,
    StartInterval: user.StartInterval || image.StartInterval,
    Retries: user.Retries || image.Retries,
  });
}

/**
 * What a probe runs: CMD's argv, or CMD-SHELL's command under `/bin/sh -c`; undefined when
 * nothing is checked (no test, NONE, or a type Docker ignores with a warning).
 */
export function probeCommand(config: HealthConfig | null | undefined): string[] | undefined {
  const test = config?.Test ?? [];
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', ...test.slice(1)];
  return undefined;
}

/** The schedule and the verdict's rules with Docker's defaults in place, in milliseconds. */
export interface ProbeTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
  readonly retries: number;
}

export function probeTiming(config: HealthConfig): ProbeTiming {
  const ms = (value: number | undefined, fallback: number) => (value || fallback) / MILLISECOND;
  return {
    intervalMs: ms(config.Interval, HEALTH_DEFAULTS.interval),
    timeoutMs: ms(config.Timeout, HEALTH_DEFAULTS.timeout),
    startPeriodMs: ms(config.StartPeriod, HEALTH_DEFAULTS.startPeriod),
    startIntervalMs: ms(config.StartInterval, HEALTH_DEFAULTS.startInterval),
    retries: config.Retries && config.Retries > 0 ? config.Retries : HEALTH_DEFAULTS.retries,
  };
}

/**
 * The wait before the next probe (daemon/health.go's getInterval): the start interval while
 * the container is in its start period and not yet found healthy, the interval otherwise.
 */
export function nextProbeDelay(timing: ProbeTiming, sinceStartMs: number, status: string | undefined): number {
  if (sinceStartMs >= timing.startPeriodMs) return timing.intervalMs;
  return status === 'starting' ? timing.startIntervalMs : timing.intervalMs;
}
