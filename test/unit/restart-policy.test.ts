// Restart policies as decisions: who restarts (containerd's monitor or berth's reaper), whether
// an exit restarts, Docker's back-off, the labels, and `ps`'s Restarting state.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Process } from '../../src/runtime/containerd/types.js';
import { isBerthLabel, LABELS, RESTART_MONITOR_LABELS } from '../../src/runtime/containers/labels.js';
import { decodeRecord } from '../../src/runtime/containers/list.js';
import {
  BACKOFF,
  isRestarting,
  monitorLabels,
  nextBackoff,
  planRestart,
  restarterFor,
  shouldRestart,
  type RestartPolicy,
} from '../../src/runtime/containers/restart-policy.js';
import { statusText } from '../../src/runtime/containers/status.js';

const always: RestartPolicy = { Name: 'always' };
const unlessStopped: RestartPolicy = { Name: 'unless-stopped' };
const onFailure = (max = 0): RestartPolicy => ({ Name: 'on-failure', MaximumRetryCount: max });
const no: RestartPolicy = { Name: 'no' };

describe('restarterFor', () => {
  const plain = { tty: false, monitorAvailable: true };
  const cases: Array<[string, RestartPolicy | undefined, { tty: boolean; monitorAvailable: boolean }, string]> = [
    ['always → the monitor', always, plain, 'monitor'],
    ['unless-stopped → the monitor', unlessStopped, plain, 'monitor'],
    ['on-failure → berth (no 1.6 labels for it)', onFailure(2), plain, 'berth'],
    ['always with a terminal → berth (the monitor starts tasks without one)', always, { tty: true, monitorAvailable: true }, 'berth'],
    ['always without the monitor plugin → berth', always, { tty: false, monitorAvailable: false }, 'berth'],
    ['no → nobody', no, plain, 'none'],
    ["'' → nobody", { Name: '' }, plain, 'none'],
    ['none given → nobody', undefined, plain, 'none'],
  ];
  for (const [name, policy, facts, expected] of cases) it(name, () => assert.equal(restarterFor(policy, facts), expected));
});

describe('shouldRestart (Docker restart manager)', () => {
  const cases: Array<[string, RestartPolicy | undefined, number, number, boolean, boolean]> = [
    ['always after exit 0', always, 0, 5, false, true],
    ['always after exit 1', always, 1, 0, false, true],
    ['always, stopped by the user', always, 137, 0, true, false],
    ['unless-stopped, stopped by the user', unlessStopped, 143, 0, true, false],
    ['on-failure after exit 0', onFailure(), 0, 0, false, false],
    ['on-failure (unlimited) after the 100th failure', onFailure(), 1, 100, false, true],
    ['on-failure:2, first failure', onFailure(2), 1, 0, false, true],
    ['on-failure:2, second failure', onFailure(2), 1, 1, false, true],
    ['on-failure:2, third failure: done', onFailure(2), 1, 2, false, false],
    ['on-failure:2, stopped by the user', onFailure(2), 143, 0, true, false],
    ['no', no, 1, 0, false, false],
    ['none given', undefined, 1, 0, false, false],
  ];
  for (const [name, policy, exitCode, count, stopped, expected] of cases) {
    it(name, () => assert.equal(shouldRestart(policy, exitCode, count, stopped), expected));
  }
});

describe('nextBackoff', () => {
  it('starts at 100 ms and doubles while runs are short', () => {
    const delays: number[] = [];
    let previous: number | undefined;
    for (let run = 0; run < 5; run++) delays.push((previous = nextBackoff(previous, 1000)));
    assert.deepEqual(delays, [100, 200, 400, 800, 1600]);
  });
  it('stops at a minute', () => assert.equal(nextBackoff(40_000, 0), BACKOFF.maximumMs));
  it('starts over after a run of 10 s', () => assert.equal(nextBackoff(6400, 10_000), 100));
  it('a bad stored value counts as none', () => assert.equal(nextBackoff(Number.NaN, 0), 100));
});

describe('planRestart', () => {
  const started = '2026-01-01T00:00:00.000Z';
  const exitedAfter = (ms: number) => new Date(Date.parse(started) + ms);
  it('on-failure:2: the first failure is restart 1 after 100 ms', () => {
    const plan = planRestart(onFailure(2), { [LABELS.startedAt]: started }, { exitCode: 1, exitedAt: exitedAfter(50) }, 0);
    assert.deepEqual(plan, { restartCount: 1, delayMs: 100 });
  });
  it('doubles the stored back-off after a short run', () => {
    const labels = { [LABELS.startedAt]: started, [LABELS.restartCount]: '1', [LABELS.restartBackoff]: '100' };
    assert.deepEqual(planRestart(onFailure(2), labels, { exitCode: 1, exitedAt: exitedAfter(50) }, 0), { restartCount: 2, delayMs: 200 });
  });
  it('resets the back-off after a long run', () => {
    const labels = { [LABELS.startedAt]: started, [LABELS.restartCount]: '7', [LABELS.restartBackoff]: '12800' };
    assert.deepEqual(planRestart(always, labels, { exitCode: 0, exitedAt: exitedAfter(60_000) }, 0), { restartCount: 8, delayMs: 100 });
  });
  it('none after the last retry, none after a stop', () => {
    assert.equal(planRestart(onFailure(2), { [LABELS.restartCount]: '2' }, { exitCode: 1 }, 0), undefined);
    assert.equal(planRestart(always, { [LABELS.manuallyStopped]: 'true' }, { exitCode: 137 }, 0), undefined);
  });
});

describe('restart monitor labels', () => {
  it('status running and the log URI', () => {
    assert.deepEqual(monitorLabels('binary:///x/berth-logger?config=%2Fc'), {
      'containerd.io/restart.status': 'running',
      'containerd.io/restart.loguri': 'binary:///x/berth-logger?config=%2Fc',
    });
  });
  it('are hidden from the user’s labels like berth’s own', () => {
    assert.ok(isBerthLabel(RESTART_MONITOR_LABELS.status));
    assert.ok(isBerthLabel(RESTART_MONITOR_LABELS.logUri));
    assert.ok(!isBerthLabel('containerd.io/other'));
  });
});

describe('Restarting state', () => {
  const now = Date.parse('2026-06-01T12:00:10Z');
  const monitored = { [RESTART_MONITOR_LABELS.status]: 'running' };
  it('a monitored container without a running task', () => {
    assert.ok(isRestarting(monitored, undefined, undefined, now));
    assert.ok(isRestarting(monitored, 'STOPPED', undefined, now));
    assert.ok(!isRestarting(monitored, 'RUNNING', undefined, now));
    assert.ok(!isRestarting({ [RESTART_MONITOR_LABELS.status]: 'paused' }, undefined, undefined, now));
  });
  it('berth’s reaper waiting out its back-off, not a reaper long gone', () => {
    assert.ok(isRestarting({}, undefined, new Date(now + 200), now));
    assert.ok(!isRestarting({}, undefined, new Date(now - 120_000), now));
    assert.ok(!isRestarting({}, undefined, undefined, now));
  });

  it('ps shows Restarting (1) with the last exit', () => {
    const finished = new Date(Date.now() - 2000).toISOString();
    const container: Container = {
      id: 'c1',
      labels: { [LABELS.name]: 'web', [LABELS.startedAt]: finished, [LABELS.exitCode]: '1', [LABELS.finishedAt]: finished, ...monitored },
      image: 'busybox',
      runtime: { name: 'io.containerd.runc.v2', options: null },
      spec: null,
      snapshotter: 'overlayfs',
      snapshot_key: 'c1',
      created_at: { seconds: '1', nanos: 0 },
      updated_at: { seconds: '1', nanos: 0 },
      extensions: {},
    };
    const record = decodeRecord(container);
    assert.equal(record.status, 'restarting');
    assert.match(statusText(record), /^Restarting \(1\) \d seconds? ago$/);
    const running: Process = { container_id: '', id: 'c1', pid: 7, status: 'RUNNING', terminal: false, exit_status: 0, exited_at: null };
    assert.equal(decodeRecord(container, running).status, 'running');
  });
});
