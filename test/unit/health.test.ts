// Health checks: Go durations, `--health-*` flags and `HEALTHCHECK` changes as Docker reads
// them, the daemon's merge with the image's check, the probe schedule, and the status
// transitions of State.Health (daemon/health.go's handleProbeResult).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { formatGoDuration, parseGoDuration } from '../../src/format/go-duration.js';
import { applyChanges } from '../../src/image/config-changes.js';
import type { Container } from '../../src/runtime/containerd/types.js';
import { decodeRecord } from '../../src/runtime/containers/list.js';
import { parseContainerFilters, selectContainers } from '../../src/runtime/containers/ps.js';
import type { ContainerRecord } from '../../src/runtime/containers/record.js';
import { statusText } from '../../src/runtime/containers/status.js';
import { toRunRequest, type ContainerFlags } from '../../src/runtime/create-options.js';
import { mergeHealthConfig, nextProbeDelay, probeCommand, probeTiming } from '../../src/runtime/health/config.js';
import { LimitedOutput, applyResult, shownState, startingState, type HealthResult, type HealthState } from '../../src/runtime/health/state.js';
import { checkLoggerConfig } from '../../src/runtime/logging/logger-config.js';

const S = 1e9;
const MS = 1e6;

const usage = (message: string | RegExp) => (error: unknown) => {
  assert.ok(isBerthError(error, 'usage'), `expected a usage error, got ${String(error)}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
};

describe('Go durations', () => {
  it('parses what time.ParseDuration parses', () => {
    const cases: Array<[string, number]> = [
      ['0', 0], ['1s', S], ['1.5s', 1.5 * S], ['300ms', 300 * MS], ['1m30s', 90 * S], ['2h', 7200 * S], ['-2m', -120 * S],
      ['+5s', 5 * S], ['10us', 10_000], ['10µs', 10_000], ['7ns', 7], ['.5s', 0.5 * S], ['1.s', S], ['1h1m1s1ms', 3661 * S + MS],
    ];
    for (const [text, nanoseconds] of cases) assert.equal(parseGoDuration(text), nanoseconds, text);
  });

  it("refuses with Go's messages", () => {
    assert.throws(() => parseGoDuration('5'), usage('time: missing unit in duration "5"'));
    assert.throws(() => parseGoDuration('5d'), usage('time: unknown unit "d" in duration "5d"'));
    assert.throws(() => parseGoDuration('abc'), usage('time: invalid duration "abc"'));
    assert.throws(() => parseGoDuration(''), usage('time: invalid duration ""'));
    assert.throws(() => parseGoDuration('.s'), usage('time: invalid duration ".s"'));
  });

  it('prints as time.Duration.String', () => {
    const cases: Array<[number, string]> = [
      [0, '0s'], [500 * MS, '500ms'], [S, '1s'], [1.5 * S, '1.5s'], [90 * S, '1m30s'], [120 * S, '2m0s'], [3600 * S, '1h0m0s'],
      [1500, '1.5µs'], [7, '7ns'], [-S, '-1s'], [1.25 * MS, '1.25ms'],
    ];
    for (const [nanoseconds, text] of cases) assert.equal(formatGoDuration(nanoseconds), text, text);
  });
});

describe('--health-* flags', () => {
  const intent = (flags: ContainerFlags) => toRunRequest(flags, 'busybox', []).intent;

  it('leaves the image check alone when no health flag is given', () => {
    assert.equal(intent({}).Healthcheck, undefined);
  });

  it('builds a CMD-SHELL test with nanosecond durations, zero fields left out', () => {
    assert.deepEqual(
      intent({ 'health-cmd': 'curl -f localhost || exit 1', 'health-interval': '5s', 'health-timeout': '2s', 'health-retries': '4', 'health-start-period': '1m', 'health-start-interval': '500ms' }).Healthcheck,
      { Test: ['CMD-SHELL', 'curl -f localhost || exit 1'], Interval: 5 * S, Timeout: 2 * S, StartPeriod: 60 * S, StartInterval: 500 * MS, Retries: 4 },
    );
    // timing alone: the test comes from the image
    assert.deepEqual(intent({ 'health-interval': '1s' }).Healthcheck, { Interval: S });
  });

  it('--no-healthcheck is Test NONE and excludes the other flags', () => {
    assert.deepEqual(intent({ 'no-healthcheck': true }).Healthcheck, { Test: ['NONE'] });
    assert.throws(() => intent({ 'no-healthcheck': true, 'health-cmd': 'true' }), usage('--no-healthcheck conflicts with --health-* options'));
  });

  it("refuses bad values with pflag's and Docker's messages", () => {
    assert.throws(() => intent({ 'health-interval': '5' }), usage('invalid argument "5" for "--health-interval" flag: time: missing unit in duration "5"'));
    assert.throws(() => intent({ 'health-retries': 'x' }), usage('invalid argument "x" for "--health-retries" flag: strconv.ParseInt: parsing "x": invalid syntax'));
    assert.throws(() => intent({ 'health-cmd': 'true', 'health-timeout': '-1s' }), usage('--health-timeout cannot be negative'));
    assert.throws(() => intent({ 'health-retries': '-1' }), usage('--health-retries cannot be negative'));
    assert.throws(() => intent({ 'health-interval': '500us' }), usage(/Interval in Healthcheck cannot be less than 1ms$/));
  });
});

describe('HEALTHCHECK --change', () => {
  it('takes the shell form, the JSON form and the flags as a Dockerfile does', () => {
    assert.deepEqual(applyChanges(['HEALTHCHECK --interval=5s --retries=2 CMD test -e /tmp/ok || exit 1']).Healthcheck, {
      Test: ['CMD-SHELL', 'test -e /tmp/ok || exit 1'],
      Interval: 5 * S,
      Retries: 2,
    });
    assert.deepEqual(applyChanges(['HEALTHCHECK --timeout=1m30s --start-period=0s --start-interval=2s CMD ["true"]']).Healthcheck, {
      Test: ['CMD', 'true'],
      Timeout: 90 * S,
      StartInterval: 2 * S,
    });
    assert.deepEqual(applyChanges(['healthcheck none']).Healthcheck, { Test: ['NONE'] });
  });

  it('refuses what a Dockerfile refuses', () => {
    const refused = (change: string, message: string) =>
      assert.throws(() => applyChanges([change]), usage(`invalid --change "${change}": ${message}`));
    refused('HEALTHCHECK NONE extra', 'HEALTHCHECK NONE takes no arguments');
    refused('HEALTHCHECK CMD', 'Missing command after HEALTHCHECK CMD');
    refused('HEALTHCHECK RUN true', 'Unknown type "RUN" in HEALTHCHECK (try CMD)');
    refused('HEALTHCHECK --every=5s CMD true', 'unknown flag: every');
    refused('HEALTHCHECK --interval CMD true', 'missing a value on flag: interval');
    refused('HEALTHCHECK --interval=10us CMD true', 'Interval "interval" cannot be less than 1ms');
    refused('HEALTHCHECK --retries=-1 CMD true', '--retries cannot be negative (-1)');
    refused('HEALTHCHECK --timeout=x CMD true', 'time: invalid duration "x"');
  });
});

describe("the daemon's merge with the image's check", () => {
  const image = { Test: ['CMD-SHELL', 'check'], Interval: 10 * S, Timeout: 3 * S, Retries: 5 };

  it("takes the image's check, or fills the user's zero fields from it", () => {
    assert.deepEqual(mergeHealthConfig(undefined, image), image);
    assert.deepEqual(mergeHealthConfig({ Interval: S }, image), { ...image, Interval: S });
    assert.deepEqual(mergeHealthConfig({ Test: ['CMD', 'other'], Retries: 1 }, image), { ...image, Test: ['CMD', 'other'], Retries: 1 });
    assert.deepEqual(mergeHealthConfig({ Test: ['CMD-SHELL', 'x'] }, undefined), { Test: ['CMD-SHELL', 'x'] });
    assert.equal(mergeHealthConfig(undefined, undefined), undefined);
  });

  it('--no-healthcheck keeps NONE over the image test', () => {
    const merged = mergeHealthConfig({ Test: ['NONE'] }, image);
    assert.deepEqual(merged?.Test, ['NONE']);
    assert.equal(probeCommand(merged), undefined);
  });
});

describe('probes', () => {
  it('run CMD as given and CMD-SHELL under /bin/sh -c; nothing for NONE or no test', () => {
    assert.deepEqual(probeCommand({ Test: ['CMD', 'ls', '-l'] }), ['ls', '-l']);
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }), ['/bin/sh', '-c', 'exit 1']);
    assert.equal(probeCommand({ Test: ['NONE'] }), undefined);
    assert.equal(probeCommand({ Interval: S }), undefined);
    assert.equal(probeCommand(undefined), undefined);
  });

  it("use Docker's defaults for zero fields", () => {
    assert.deepEqual(probeTiming({ Test: ['CMD', 'true'] }), { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 });
    assert.deepEqual(probeTiming({ Interval: S, Timeout: 500 * MS, StartPeriod: 60 * S, StartInterval: 2 * S, Retries: 1 }), {
      intervalMs: 1_000, timeoutMs: 500, startPeriodMs: 60_000, startIntervalMs: 2_000, retries: 1,
    });
  });

  it('come every start interval while starting within the start period, every interval otherwise', () => {
    const timing = probeTiming({ Interval: 10 * S, StartPeriod: 60 * S, StartInterval: 2 * S });
    assert.equal(nextProbeDelay(timing, 0, 'starting'), 2_000);
    assert.equal(nextProbeDelay(timing, 30_000, 'starting'), 2_000);
    assert.equal(nextProbeDelay(timing, 30_000, 'healthy'), 10_000);
    assert.equal(nextProbeDelay(timing, 60_000, 'starting'), 10_000);
    assert.equal(nextProbeDelay(probeTiming({ Interval: 10 * S }), 0, 'starting'), 10_000);
  });
});

describe('health status transitions', () => {
  const started = new Date('2026-12-04T18:00:00Z');
  const result = (exitCode: number, secondsAfterStart: number, output = ''): HealthResult => {
    const at = new Date(started.getTime() + secondsAfterStart * 1000).toISOString();
    return { Start: at, End: at, ExitCode: exitCode, Output: output };
  };
  const rules = { retries: 2, startPeriodMs: 0, startedAt: started };
  const run = (exitCodes: number[], options = rules, from: HealthState = startingState()) =>
    exitCodes.reduce((state, code, index) => applyResult(state, result(code, index + 1), options), from);

  it('starts as starting and turns healthy on the first success', () => {
    assert.deepEqual(startingState(), { Status: 'starting', FailingStreak: 0, Log: [] });
    const state = run([0]);
    assert.equal(state.Status, 'healthy');
    assert.equal(state.Log.length, 1);
  });

  it('turns unhealthy after `retries` consecutive failures, any non-zero code counting', () => {
    assert.deepEqual([run([1]).Status, run([1]).FailingStreak], ['starting', 1]);
    assert.deepEqual([run([1, -1]).Status, run([1, -1]).FailingStreak], ['unhealthy', 2]);
    assert.deepEqual([run([0, 2]).Status, run([0, 2]).FailingStreak], ['healthy', 1]);
    assert.deepEqual([run([0, 2, 1]).Status, run([0, 2, 1]).FailingStreak], ['unhealthy', 2]);
    assert.deepEqual([run([1, 1, 0]).Status, run([1, 1, 0]).FailingStreak], ['healthy', 0]);
  });

  it('does not count failures while starting within the start period', () => {
    const inPeriod = { ...rules, startPeriodMs: 60_000 };
    const state = run([1, 1, 1], inPeriod);
    assert.deepEqual([state.Status, state.FailingStreak, state.Log.length], ['starting', 0, 3]);
    // once healthy, the start period no longer shields failures
    const afterSuccess = run([0, 1, 1], inPeriod);
    assert.deepEqual([afterSuccess.Status, afterSuccess.FailingStreak], ['unhealthy', 2]);
    // after the period, failures count again
    const late = applyResult(startingState(), result(1, 61), inPeriod);
    assert.equal(late.FailingStreak, 1);
  });

  it('keeps the last five results, oldest first', () => {
    const state = run([1, 1, 1, 1, 1, 1, 0], { ...rules, retries: 10 });
    assert.equal(state.Log.length, 5);
    assert.deepEqual(state.Log.map((entry) => entry.ExitCode), [1, 1, 1, 1, 0]);
    assert.equal(state.Log[4].Start, result(0, 7).Start);
  });

  it('a start resets status and streak, keeping the log', () => {
    const unhealthy = run([1, 1]);
    assert.deepEqual(startingState(unhealthy), { Status: 'starting', FailingStreak: 0, Log: unhealthy.Log });
  });

  it('shows unhealthy once the container no longer runs, as a stopped monitor leaves it', () => {
    const healthy = run([0]);
    assert.equal(shownState(healthy, true).Status, 'healthy');
    assert.deepEqual(shownState(healthy, false), { ...healthy, Status: 'unhealthy' });
  });

  it("keeps the first 4096 bytes of a probe's output, then `...`", () => {
    const output = new LimitedOutput();
    output.add(Buffer.from('ok\n'));
    assert.equal(output.text(), 'ok\n');
    const long = new LimitedOutput();
    long.add(Buffer.alloc(4000, 'a'));
    long.add(Buffer.alloc(200, 'b'));
    long.add(Buffer.from('c'));
    assert.equal(long.text(), `${'a'.repeat(4000)}${'b'.repeat(96)}...`);
  });
});

describe('health in ps', () => {
  const NOW = Date.parse('2026-12-04T18:00:00Z');
  const container = (name: string, labels: Record<string, string> = {}): Container => ({
    id: name.padEnd(64, '0'),
    labels: { 'berth/name': name, 'berth/started-at': '2026-12-04T17:59:55Z', ...labels },
    image: 'docker.io/library/busybox:latest',
    runtime: { name: 'io.containerd.runc.v2', options: null },
    spec: null,
    snapshotter: 'overlayfs',
    snapshot_key: name,
    created_at: { seconds: String(NOW / 1000 - 60), nanos: 0 },
    updated_at: { seconds: String(NOW / 1000 - 60), nanos: 0 },
    extensions: {},
  });
  const running = (name: string, health?: HealthState['Status']): ContainerRecord => {
    const record = decodeRecord(container(name), { container_id: '', id: container(name).id, pid: 1, status: 'RUNNING', terminal: false, exit_status: 0, exited_at: null });
    return health ? { ...record, health: { Status: health, FailingStreak: 0, Log: [] } } : record;
  };

  it("shows Docker's STATUS words", () => {
    assert.equal(statusText(running('a', 'starting'), NOW), 'Up 5 seconds (health: starting)');
    assert.equal(statusText(running('a', 'healthy'), NOW), 'Up 5 seconds (healthy)');
    assert.equal(statusText(running('a', 'unhealthy'), NOW), 'Up 5 seconds (unhealthy)');
    assert.equal(statusText(running('a'), NOW), 'Up 5 seconds');
  });

  it('filters by health, `none` for containers without one', () => {
    const records = [running('s', 'starting'), running('h', 'healthy'), running('u', 'unhealthy'), running('n')];
    const names = (filters: string[]) => selectContainers(records, parseContainerFilters(filters), { all: false, last: -1 }).map((r) => r.name);
    assert.deepEqual(names(['health=starting']), ['s']);
    assert.deepEqual(names(['health=healthy']), ['h']);
    assert.deepEqual(names(['health=unhealthy']), ['u']);
    assert.deepEqual(names(['health=none']), ['n']);
    assert.deepEqual(names(['health=healthy', 'health=none']), ['h', 'n']);
  });
});

describe("the logger's health config", () => {
  const base = { driver: 'json-file', logPath: '/x/log', maxSize: 0, maxFile: 1 };
  it('takes a probe loop argv and refuses anything else', () => {
    assert.deepEqual(checkLoggerConfig({ ...base, health: { command: ['/bin/sh', '-c', 'true'] } }).health, { command: ['/bin/sh', '-c', 'true'] });
    assert.throws(() => checkLoggerConfig({ ...base, health: { command: [] } }), /health.command must be a non-empty argv/);
    assert.throws(() => checkLoggerConfig({ ...base, health: 'x' }), /health.command must be a non-empty argv/);
  });
});
