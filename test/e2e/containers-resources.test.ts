// Issue 5's resource, device and namespace flags, as the container itself sees them. This
// host's cgroups are v1: each controller is mounted at /sys/fs/cgroup/<controller> in the
// container, showing the container's own cgroup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { lines, scene } from './containers-kit.js';

test('--cpu-shares, --cpuset-cpus, --memory-swap, --memory-reservation, --memory-swappiness are in the container’s cgroup', async () => {
  await scene(async ({ b, img }) => {
    const read = [
      '/sys/fs/cgroup/cpu/cpu.shares',
      '/sys/fs/cgroup/cpuset/cpuset.cpus',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes',
      '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
      '/sys/fs/cgroup/memory/memory.soft_limit_in_bytes',
      '/sys/fs/cgroup/memory/memory.swappiness',
    ];
    const run = await b([
      'run', '--rm', '-c', '512', '--cpuset-cpus', '0', '--memory', '64m', '--memory-swap', '96m', '--memory-reservation', '32m',
      '--memory-swappiness', '10', img, 'cat', ...read,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout), ['512', '0', String(64 * 1024 * 1024), String(96 * 1024 * 1024), String(32 * 1024 * 1024), '10']);
  });
});

test('--cpu-period/--cpu-quota set the CFS quota; conflicting or impossible values are refused with Docker’s words', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--cpu-period', '50000', '--cpu-quota', '25000', img, 'cat', '/sys/fs/cgroup/cpu/cpu.cfs_period_us', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout), ['50000', '25000']);
    const refusals: [string[], RegExp][] = [
      [['--memory-swap', '1g'], /You should always set the Memory limit when using Memoryswap limit, see usage/],
      [['--memory', '64m', '--memory-swap', '32m'], /Minimum memoryswap limit should be larger than memory limit, see usage/],
      [['--memory-swappiness', '101'], /Invalid value: 101, valid memory swappiness range is 0-100/],
      [['--cpus', '1', '--cpu-quota', '50000'], /Conflicting options: Nano CPUs and CPU Quota cannot both be set/],
      [['--cpuset-cpus', '7'], /Requested CPUs are not available - requested 7, available: /],
      [['-c', 'many'], /invalid argument "many" for "-c, --cpu-shares" flag/],
    ];
    for (const [flags, message] of refusals) {
      const refused = await b(['run', '--rm', ...flags, img, 'true']);
      assert.equal(refused.code, 125, flags.join(' '));
      assert.match(refused.stderr, message);
    }
    // nothing was left behind by the refusals
    assert.deepEqual(lines((await b(['ps', '-aq'])).stdout), []);
  });
});

test('--shm-size 128m sizes /dev/shm; --ipc none has none', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--shm-size', '128m', img, 'df', '-k', '/dev/shm']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\s131072\s/);
    const none = await b(['run', '--rm', '--ipc', 'none', img, 'sh', '-c', 'grep -c " /dev/shm " /proc/mounts || true']);
    assert.equal(none.stdout.trim(), '0');
  });
});

test('--device /dev/null:/dev/mynull is a working device; a path that is no device is refused', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--device', '/dev/null:/dev/mynull', img, 'sh', '-c', 'test -c /dev/mynull && echo written > /dev/mynull && echo ok']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ok\n');
    // /dev/null is allowed by default: a device outside Docker's defaults shows the permissions at work
    const readOnly = await b(['run', '--rm', '--device', '/dev/loop0:/dev/myloop:r', img, 'sh', '-c', 'echo x > /dev/myloop']);
    assert.notEqual(readOnly.code, 0);
    assert.match(readOnly.stderr, /Operation not permitted/);
    const notDevice = await b(['run', '--rm', '--device', '/etc/hostname', img, 'true']);
    assert.equal(notDevice.code, 125);
    assert.match(notDevice.stderr, /error gathering device information while adding custom device "\/etc\/hostname": not a device node/);
  });
});

test('--device-cgroup-rule opens the device cgroup to a device the container makes itself', async () => {
  await scene(async ({ b, img }) => {
    const make = 'mknod /dev/mine c 1 3 && echo x > /dev/mine && echo ok';
    const allowed = await b(['run', '--rm', '--device-cgroup-rule', 'c 1:3 rwm', img, 'sh', '-c', make]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout, 'ok\n');
    const bad = await b(['run', '--rm', '--device-cgroup-rule', 'x 1:3 rwm', img, 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid device cgroup format 'x 1:3 rwm'/);
  });
});

test('--device-read-bps and --device-write-iops throttle a host block device', async () => {
  await scene(async ({ b, img }) => {
    const rdev = statSync('/dev/vda').rdev;
    const numbers = `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & ~0xff)}`;
    const run = await b([
      'run', '--rm', '--device-read-bps', '/dev/vda:1mb', '--device-write-iops', '/dev/vda:100', img,
      'cat', '/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device', '/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout), [`${numbers} 1048576`, `${numbers} 100`]);
  });
});

test('--blkio-weight 300 on a kernel without blkio.weight: Docker’s warning, and the container runs', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--blkio-weight', '300', img, 'echo', 'ran']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ran\n');
    assert.match(run.stderr, /^WARNING: Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\.$/m);
    const outOfRange = await b(['run', '--rm', '--blkio-weight', '70000', img, 'true']);
    assert.equal(outOfRange.code, 125);
    assert.match(outOfRange.stderr, /--blkio-weight/);
  });
});

test('--sysctl net.ipv4.ip_forward=1 in the container’s own network namespace; refused where it would reach the host', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--network', 'none', '--sysctl', 'net.ipv4.ip_forward=1', img, 'cat', '/proc/sys/net/ipv4/ip_forward']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '1\n');
    const ipc = await b(['run', '--rm', '--sysctl', 'kernel.shmmax=1048576', img, 'cat', '/proc/sys/kernel/shmmax']);
    assert.equal(ipc.code, 0, ipc.stderr);
    assert.equal(ipc.stdout, '1048576\n');
    const hostNet = await b(['run', '--rm', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', img, 'true']);
    assert.equal(hostNet.code, 125);
    assert.match(hostNet.stderr, /sysctl "net.ipv4.ip_forward" not allowed in host network namespace/);
    const hostIpc = await b(['run', '--rm', '--ipc', 'host', '--sysctl', 'kernel.shmmax=1048576', img, 'true']);
    assert.equal(hostIpc.code, 125);
    assert.match(hostIpc.stderr, /sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace/);
    const kernel = await b(['run', '--rm', '--sysctl', 'kernel.panic=1', img, 'true']);
    assert.equal(kernel.code, 125);
    assert.match(kernel.stderr, /sysctl 'kernel.panic=1' is not allowed/);
  });
});

test('--pid host sees the host’s PID 1; --ipc host and --uts host share the host’s namespaces', async () => {
  await scene(async ({ b, img }) => {
    const pid = await b(['run', '--rm', '--pid', 'host', img, 'cat', '/proc/1/comm']);
    assert.equal(pid.code, 0, pid.stderr);
    assert.equal(pid.stdout, readFileSync('/proc/1/comm', 'utf8'));
    const own = await b(['run', '--rm', img, 'cat', '/proc/1/comm']);
    assert.notEqual(own.stdout, pid.stdout);

    const namespaces = await b(['run', '--rm', '--ipc', 'host', '--uts', 'host', img, 'sh', '-c', 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts; hostname']);
    assert.equal(namespaces.code, 0, namespaces.stderr);
    assert.deepEqual(lines(namespaces.stdout), [readlinkSync('/proc/self/ns/ipc'), readlinkSync('/proc/self/ns/uts'), hostname()]);
    const privateOnes = await b(['run', '--rm', img, 'sh', '-c', 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts']);
    assert.notEqual(lines(privateOnes.stdout)[0], readlinkSync('/proc/self/ns/ipc'));
    assert.notEqual(lines(privateOnes.stdout)[1], readlinkSync('/proc/self/ns/uts'));

    const conflict = await b(['run', '--rm', '--uts', 'host', '--hostname', 'x', img, 'true']);
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, /conflicting options: hostname and the UTS mode/);
  });
});

test('--pid and --ipc container:<name> join a running container’s namespaces (IPC only from a shareable one)', async () => {
  await scene(async ({ b, img }) => {
    const donor = await b(['run', '-d', '--name', 'donor', '--ipc', 'shareable', img, 'sh', '-c', 'echo shared > /dev/shm/note; exec sleep 300']);
    assert.equal(donor.code, 0, donor.stderr);
    const joined = await b(['run', '--rm', '--pid', 'container:donor', '--ipc', 'container:donor', img, 'sh', '-c', 'ps -o comm | grep -c sleep; cat /dev/shm/note']);
    assert.equal(joined.code, 0, joined.stderr);
    assert.deepEqual(lines(joined.stdout), ['1', 'shared']);

    const plain = await b(['run', '-d', '--name', 'plain', img, 'sleep', '300']);
    assert.equal(plain.code, 0, plain.stderr);
    const notShareable = await b(['run', '--rm', '--ipc', 'container:plain', img, 'true']);
    assert.equal(notShareable.code, 125);
    assert.match(notShareable.stderr, /non-shareable IPC/);
    const missing = await b(['run', '--rm', '--pid', 'container:nope', img, 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /failed to join PID namespace: No such container: nope/);
    await b(['rm', '-f', 'donor', 'plain']);
  });
});

test('--oom-score-adj 500 is the container’s; lowering it below berth’s own is refused without a runc trace', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--oom-score-adj', '500', img, 'cat', '/proc/self/oom_score_adj']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '500\n');
    const own = Number(readFileSync('/proc/self/oom_score_adj', 'utf8'));
    const lower = await b(['run', '--rm', '--oom-score-adj', String(own - 100), img, 'true']);
    assert.equal(lower.code, 125);
    assert.match(lower.stderr, /--oom-score-adj -?\d+: lower than berth's own OOM score adjustment/);
    assert.doesNotMatch(lower.stderr, /runc|OCI runtime/);
    const range = await b(['run', '--rm', '--oom-score-adj', '2000', img, 'true']);
    assert.equal(range.code, 125);
    assert.match(range.stderr, /Invalid value 2000, range for oom score adj is \[-1000, 1000\]/);
  });
});

test('inspect shows the HostConfig fields with Docker’s names and units', async () => {
  await scene(async ({ b, img }) => {
    const created = await b([
      'create', '--name', 'res', '-c', '512', '--cpuset-cpus', '0', '--memory', '64m', '--memory-swap', '128m', '--memory-reservation', '32m',
      '--oom-kill-disable', '--oom-score-adj', '500', '--shm-size', '128m', '--device', '/dev/null:/dev/mynull', '--device-cgroup-rule', 'c 1:3 r',
      '--device-read-bps', '/dev/vda:1mb', '--sysctl', 'net.ipv4.ip_forward=1', '--pid', 'host', '--ipc', 'shareable', '--uts', 'host',
      '--cgroupns', 'private', '--cgroup-parent', 'berth-test', '--userns', 'host', '--isolation', 'default', '--blkio-weight', '300', img,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const inspected = await b(['inspect', '--format', '{{json .HostConfig}}', 'res']);
    assert.equal(inspected.code, 0, inspected.stderr);
    const host = JSON.parse(inspected.stdout);
    assert.equal(host.CpuShares, 512);
    assert.equal(host.CpusetCpus, '0');
    assert.equal(host.Memory, 64 * 1024 * 1024);
    assert.equal(host.MemorySwap, 128 * 1024 * 1024);
    assert.equal(host.MemoryReservation, 32 * 1024 * 1024);
    assert.equal(host.OomKillDisable, true);
    assert.equal(host.OomScoreAdj, 500);
    assert.equal(host.ShmSize, 128 * 1024 * 1024);
    assert.deepEqual(host.Devices, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' }]);
    assert.deepEqual(host.DeviceCgroupRules, ['c 1:3 r']);
    assert.deepEqual(host.BlkioDeviceReadBps, [{ Path: '/dev/vda', Rate: 1048576 }]);
    assert.deepEqual(host.Sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.equal(host.PidMode, 'host');
    assert.equal(host.IpcMode, 'shareable');
    assert.equal(host.UTSMode, 'host');
    assert.equal(host.CgroupnsMode, 'private');
    assert.equal(host.CgroupParent, 'berth-test');
    assert.equal(host.UsernsMode, 'host');
    assert.equal(host.Isolation, 'default');
    // discarded on this kernel, as Docker stores it
    assert.equal(host.BlkioWeight, 0);
    assert.match(created.stderr, /WARNING: Your kernel does not support Block I\/O weight/);
    const started = await b(['start', '-a', 'res']);
    assert.equal(started.code, 0, started.stderr);
  });
});

test('flags berth does not support are refused naming the flag; --userns and --isolation only take what berth does', async () => {
  await scene(async ({ b, img }) => {
    const refused: [string[], RegExp][] = [
      [['--link', 'other'], /--link is not supported yet/],
      [['--link-local-ip', '169.254.0.2'], /--link-local-ip is not supported yet/],
      [['--volume-driver', 'local'], /--volume-driver is not supported yet/],
      [['--storage-opt', 'size=1g'], /--storage-opt is not supported yet/],
      [['--io-maxbandwidth', '1m'], /--io-maxbandwidth is not supported yet/],
      [['--io-maxiops', '10'], /--io-maxiops is not supported yet/],
      [['--cpu-count', '1'], /--cpu-count is not supported yet/],
      [['--cpu-percent', '10'], /--cpu-percent is not supported yet/],
      [['--kernel-memory', '10m'], /--kernel-memory is not supported yet/],
      [['--gpus', 'all'], /--gpus is not supported yet/],
      [['--use-api-socket'], /--use-api-socket is not supported yet/],
      [['--disable-content-trust=false'], /--disable-content-trust=false is not supported/],
      [['--userns', 'private'], /--userns: invalid USER mode/],
      [['--isolation', 'hyperv'], /invalid isolation \(hyperv\): linux only supports 'default'/],
      [['--pid', 'private'], /--pid: invalid PID mode/],
      [['--ipc', 'bogus'], /invalid IPC mode: bogus/],
      [['--cgroupns', 'bogus'], /--cgroupns: invalid CGROUP mode/],
    ];
    for (const [flags, message] of refused) {
      const run = await b(['run', '--rm', ...flags, img, 'true']);
      assert.equal(run.code, 125, flags.join(' '));
      assert.match(run.stderr, message);
    }
    const accepted = await b(['run', '--rm', '--disable-content-trust', '--userns', 'host', '--isolation', 'default', img, 'true']);
    assert.equal(accepted.code, 0, accepted.stderr);
  });
});
