// stats' numbers and columns, top's filtering of ps output, update's merge by Docker's rules.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatList } from '../../src/format/output.js';
import { STATS_FORMAT, liveFrame, statsRow } from '../../src/format/stats.js';
import { encodeMessage } from '../../src/runtime/containerd/client.js';
import { EMPTY_ENTRY, cpuPercent, decodeMetrics, parseProcStat, statsEntry, type StatsSample } from '../../src/runtime/containers/stats.js';
import { filterPsOutput, validatePsArgs } from '../../src/runtime/containers/top.js';
import { mergeHostConfig, parseUpdateFlags, taskResources, updatedIntent } from '../../src/runtime/containers/update.js';
import { parseCreateIntent } from '../../src/runtime/intent.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('stats', () => {
  it('reads the host CPU time (user … softirq, in ns) and counts the CPUs from /proc/stat', () => {
    const text = 'cpu  100 5 50 1000 10 1 2 7 0 0\ncpu0 50 2 25 500 5 0 1 3 0 0\ncpu1 50 3 25 500 5 1 1 4 0 0\nintr 1 2 3\n';
    assert.deepEqual(parseProcStat(text), { systemCpu: 1168 * 1e7, onlineCpus: 2 });
  });

  const host = { systemCpu: 5e12, onlineCpus: 2, memory: 8 * GiB };

  it('decodes cgroup v1 metrics: usage without inactive files, the host memory as the limit, blkio read/write', () => {
    const value = encodeMessage('io.containerd.cgroups.v1.Metrics', {
      pids: { current: 3, limit: 0 },
      cpu: { usage: { total: 2_000_000, per_cpu: [1_000_000, 1_000_000] } },
      memory: { total_inactive_file: 1 * MiB, usage: { usage: 5 * MiB, limit: '9223372036854771712' } },
      blkio: {
        io_service_bytes_recursive: [
          { op: 'Read', major: 8, minor: 0, value: 4096 },
          { op: 'Write', major: 8, minor: 0, value: 8192 },
          { op: 'Total', major: 8, minor: 0, value: 12288 },
        ],
      },
    });
    const sample = decodeMetrics({ type_url: 'io.containerd.cgroups.v1.Metrics', value }, host);
    assert.deepEqual(sample, { cpuTotal: 2_000_000, systemCpu: 5e12, onlineCpus: 2, memory: 4 * MiB, memoryLimit: 8 * GiB, blockRead: 4096, blockWrite: 8192, pids: 3 });
  });

  it('decodes cgroup v2 metrics: usec to ns, io bytes summed, the container’s own limit kept', () => {
    const value = encodeMessage('io.containerd.cgroups.v2.Metrics', {
      pids: { current: 2 },
      cpu: { usage_usec: 1500 },
      memory: { usage: 10 * MiB, inactive_file: 2 * MiB, usage_limit: 64 * MiB },
      io: { usage: [{ major: 8, minor: 0, rbytes: 100, wbytes: 200 }, { major: 8, minor: 16, rbytes: 1, wbytes: 2 }] },
    });
    const sample = decodeMetrics({ type_url: 'io.containerd.cgroups.v2.Metrics', value }, host);
    assert.deepEqual(sample, { cpuTotal: 1_500_000, systemCpu: 5e12, onlineCpus: 2, memory: 8 * MiB, memoryLimit: 64 * MiB, blockRead: 101, blockWrite: 202, pids: 2 });
  });

  it('computes CPU % as Docker’s CLI: container delta over host delta, times the CPUs', () => {
    const before = { cpuTotal: 1e9, systemCpu: 100e9 } as StatsSample;
    const after = { cpuTotal: 1.5e9, systemCpu: 102e9, onlineCpus: 2 } as StatsSample;
    assert.equal(cpuPercent(before, after), 50);
    assert.equal(cpuPercent(after, after), 0);
    const entry = statsEntry(before, { ...after, memory: 256 * MiB, memoryLimit: GiB, blockRead: 0, blockWrite: 0, pids: 1 });
    assert.equal(entry.memoryPercent, 25);
  });

  it('words a row as Docker does, and an empty one for a container without a task', () => {
    const entry = { cpuPercent: 0.123, memory: 1.5 * MiB, memoryLimit: 7.6 * GiB, memoryPercent: 0.0193, netRx: 0, netTx: 0, blockRead: 4096, blockWrite: 1_234_567, pids: 1 };
    const id = 'a'.repeat(64);
    const row = statsRow({ ref: 'web', id, name: 'web' }, entry, true);
    assert.deepEqual(row, {
      Container: 'web', Name: 'web', ID: 'a'.repeat(12), CPUPerc: '0.12%', MemUsage: '1.5MiB / 7.6GiB', MemPerc: '0.02%',
      NetIO: '0B / 0B', BlockIO: '4.1kB / 1.23MB', PIDs: '1',
    });
    const table = formatList([row, statsRow({ ref: id, id, name: 'idle' }, EMPTY_ENTRY, false)], undefined, STATS_FORMAT);
    assert.equal(
      table,
      'CONTAINER ID                                                       NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O        PIDS\n' +
        'aaaaaaaaaaaa                                                       web       0.12%     1.5MiB / 7.6GiB     0.02%     0B / 0B   4.1kB / 1.23MB   1\n' +
        `${id}   idle      0.00%     0B / 0B             0.00%     0B / 0B   0B / 0B          0\n`,
    );
    assert.equal(
      formatList([row], '{{json .}}', STATS_FORMAT),
      '{"BlockIO":"4.1kB / 1.23MB","CPUPerc":"0.12%","Container":"web","ID":"aaaaaaaaaaaa","MemPerc":"0.02%","MemUsage":"1.5MiB / 7.6GiB","Name":"web","NetIO":"0B / 0B","PIDs":"1"}\n',
    );
  });

  it('draws a live frame over the last one: home, lines cleared to their end, the rest cleared', () => {
    assert.equal(liveFrame('A\nB\n'), '\x1b[HA\x1b[K\nB\x1b[K\n\x1b[J');
  });
});

describe('top', () => {
  const PS = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 10:00 ?        00:00:01 /sbin/init splash',
    'root         500       1  0 10:01 ?        00:00:00 sleep 4321',
    'root         501     500  0 10:01 ?        00:00:00 sh -c echo a   b',
    '',
  ].join('\n');

  it('keeps the container’s processes only, the last column with its spaces', () => {
    assert.deepEqual(filterPsOutput(PS, [500, 501]), {
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        ['root', '500', '1', '0', '10:01', '?', '00:00:00', 'sleep 4321'],
        ['root', '501', '500', '0', '10:01', '?', '00:00:00', 'sh -c echo a b'],
      ],
    });
  });

  it('keeps thread rows (PID -) that follow a container process', () => {
    const threads = 'PID LWP CMD\n7 - a\n- 7 a\n9 - b\n- 9 b\n';
    assert.deepEqual(filterPsOutput(threads, [7]).processes, [['7', '-', 'a'], ['-', '7', 'a']]);
  });

  it('needs a PID column, and refuses renaming another column to PID', () => {
    assert.throws(() => filterPsOutput('USER COMMAND\nroot x\n', [1]), /Couldn't find PID field in ps output/);
    assert.throws(() => validatePsArgs('-o user=PID'), /specifying "user=PID" is not allowed/);
    validatePsArgs('-o pid=PID,comm');
  });
});

describe('update', () => {
  const intent = parseCreateIntent({ Image: 'busybox', HostConfig: { Memory: 64 * MiB, PidsLimit: 10 } });

  it('merges the given limits into the stored ones; zero leaves a limit as it is, and the memory+swap limit in force stays, as in Docker', () => {
    const update = parseUpdateFlags({ memory: '32m', 'pids-limit': '20', cpus: '0' });
    const next = updatedIntent(intent, update);
    assert.equal(next.HostConfig.Memory, 32 * MiB);
    assert.equal(next.HostConfig.PidsLimit, 20);
    assert.deepEqual(taskResources(next.HostConfig, update), { memory: { limit: 32 * MiB, swap: 128 * MiB }, pids: { limit: 20 } });
  });

  it('lifts the pids limit of a running task for -1', () => {
    const update = parseUpdateFlags({ 'pids-limit': '-1' });
    assert.deepEqual(taskResources(updatedIntent(intent, update).HostConfig, update).pids, { limit: -1 });
  });

  it('refuses as Docker’s daemon does', () => {
    assert.throws(() => mergeHostConfig(parseCreateIntent({ Image: 'x' }).HostConfig, parseUpdateFlags({ memory: '32m' })), /Memory limit should be smaller than already set memoryswap limit/);
    assert.throws(() => mergeHostConfig(intent.HostConfig, parseUpdateFlags({ memory: '129m' })), /Memory limit should be smaller/);
    assert.throws(() => mergeHostConfig(intent.HostConfig, parseUpdateFlags({ memory: '1m', 'memory-swap': '-1' })), /Minimum memory limit allowed is 6MB/);
    const autoRemove = parseCreateIntent({ Image: 'x', HostConfig: { AutoRemove: true } }).HostConfig;
    assert.throws(() => mergeHostConfig(autoRemove, parseUpdateFlags({ restart: 'always' })), /Restart policy cannot be updated because AutoRemove is enabled/);
    assert.throws(() => parseUpdateFlags({}), /you must provide one or more flags/);
    assert.throws(() => parseUpdateFlags({ memory: 'lots' }), /invalid argument "lots" for "-m, --memory" flag/);
  });

  it('stores the restart policy as run does', () => {
    const next = updatedIntent(intent, parseUpdateFlags({ restart: 'on-failure:3' }));
    assert.deepEqual(next.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  });
});
