// Issue 5's flags: parsed with Docker's grammar and messages, checked as Docker's daemon checks
// them against a kernel's cgroups, and turned into the OCI spec by the spec functions.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import {
  parseDeviceMapping, parseMemorySwap, parseThrottleDevice, parseUint16, parseWeightDevice, resourceHostConfig, toRunRequest,
  validateDeviceCgroupRule, validateSysctl,
} from '../../src/runtime/create-options.js';
import type { HostConfig } from '../../src/runtime/intent.js';
import { defaultSpec } from '../../src/runtime/spec/defaults.js';
import { withDeviceCgroupRules, withDevices } from '../../src/runtime/spec/devices.js';
import { checkResources, oomScoreBelowOwn, parseUintList, readCgroupSupport, type CgroupSupport } from '../../src/runtime/spec/host-resources.js';
import { withCgroupnsMode, withIpcMode, withPidMode, withSysctls, withUtsMode } from '../../src/runtime/spec/namespaces.js';
import { hostResources, withCgroupParent, withResources } from '../../src/runtime/spec/resources.js';

const usage = (message: string | RegExp) => (error: unknown) =>
  isBerthError(error) && (typeof message === 'string' ? error.message === message : message.test(error.message));

const spec = () => defaultSpec('ns', 'c1');

describe('resource flag parsers', () => {
  it('--memory-swap takes -1 or a size', () => {
    assert.equal(parseMemorySwap('-1'), -1);
    assert.equal(parseMemorySwap('1g'), 1024 ** 3);
    assert.throws(() => parseMemorySwap('-2'), usage(/invalid size/));
  });

  it('--blkio-weight reads a uint16 as Go does', () => {
    assert.equal(parseUint16('300'), 300);
    assert.equal(parseUint16('0x10'), 16);
    assert.equal(parseUint16('010'), 8);
    assert.throws(() => parseUint16('70000'), usage('strconv.ParseUint: parsing "70000": value out of range'));
    assert.throws(() => parseUint16('-1'), usage('strconv.ParseUint: parsing "-1": invalid syntax'));
  });

  it('weight and throttle devices, with docker/cli’s messages', () => {
    assert.deepEqual(parseWeightDevice('/dev/sda:300'), { Path: '/dev/sda', Weight: 300 });
    assert.throws(() => parseWeightDevice('/dev/sda'), usage('bad format: /dev/sda'));
    assert.throws(() => parseWeightDevice('sda:300'), usage('bad format for device path: sda:300'));
    assert.throws(() => parseWeightDevice('/dev/sda:5'), usage('invalid weight for device: /dev/sda:5'));
    assert.deepEqual(parseThrottleDevice('/dev/sda:1mb', 'bps'), { Path: '/dev/sda', Rate: 1048576 });
    assert.deepEqual(parseThrottleDevice('/dev/sda:100', 'iops'), { Path: '/dev/sda', Rate: 100 });
    assert.throws(() => parseThrottleDevice('/dev/sda:1mb', 'iops'), usage(/^invalid rate for device: \/dev\/sda:1mb\. The correct format is <device-path>:<number>\. /));
    assert.throws(() => parseThrottleDevice('/dev/sda:fast', 'bps'), usage(/Unit is optional and can be kb, mb, or gb$/));
  });

  it('--device /host[:/container][:rwm]', () => {
    const cases: [string, object][] = [
      ['/dev/null', { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }],
      ['/dev/null:r', { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'r' }],
      ['/dev/null:/dev/x', { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }],
      ['/dev/null:/dev//x/:rw', { PathOnHost: '/dev/null', PathInContainer: '/dev//x/', CgroupPermissions: 'rw' }],
      ['/dev/null:/dev//x/', { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }],
    ];
    for (const [value, expected] of cases) assert.deepEqual(parseDeviceMapping(value), expected, value);
    assert.throws(() => parseDeviceMapping('/a:/b:rw:x'), usage('bad format for path: /a:/b:rw:x'));
    assert.throws(() => parseDeviceMapping('/a:/b:rwx'), usage('bad mode specified: rwx'));
    assert.throws(() => parseDeviceMapping('/a:b'), usage('b is not an absolute path'));
  });

  it('--device-cgroup-rule and --sysctl keep to what Docker allows', () => {
    assert.equal(validateDeviceCgroupRule('c 1:* rwm'), 'c 1:* rwm');
    assert.throws(() => validateDeviceCgroupRule('c 1:3'), usage("invalid device cgroup format 'c 1:3'"));
    for (const ok of ['net.ipv4.ip_forward=1', 'kernel.shmmax=1', 'fs.mqueue.msg_max=20']) assert.equal(validateSysctl(ok), ok);
    for (const bad of ['kernel.panic=1', 'net.ipv4.ip_forward', 'vm.swappiness=1']) assert.throws(() => validateSysctl(bad), usage(`sysctl '${bad}' is not allowed`));
  });

  it('the flags become Docker’s HostConfig fields; absent flags stay absent', () => {
    assert.deepEqual(resourceHostConfig({}), {});
    const host = resourceHostConfig({
      'cpu-shares': '512', 'memory-swap': '-1', 'memory-swappiness': '-1', 'oom-kill-disable': true, 'oom-score-adj': '-5', 'shm-size': '1g',
      sysctl: ['net.a=1', 'net.a=2'], pid: 'host', ipc: 'container:db', cgroupns: 'private', 'device-read-iops': ['/dev/vda:10'],
    });
    assert.deepEqual(host, {
      CpuShares: 512, MemorySwap: -1, OomKillDisable: true, OomScoreAdj: -5, ShmSize: 1024 ** 3, Sysctls: { 'net.a': '2' },
      PidMode: 'host', IpcMode: 'container:db', CgroupnsMode: 'private', BlkioDeviceReadIOps: [{ Path: '/dev/vda', Rate: 10 }],
    });
  });

  it('refuses values as docker/cli does, naming the flag the way pflag does', () => {
    const cases: [Record<string, string | string[]>, string | RegExp][] = [
      [{ 'cpu-shares': 'x' }, 'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax'],
      [{ 'device-read-bps': ['sda:1'] }, 'invalid argument "sda:1" for "--device-read-bps" flag: bad format for device path: sda:1'],
      [{ pid: 'private' }, '--pid: invalid PID mode'],
      [{ uts: 'container:x' }, '--uts: invalid UTS mode'],
      [{ userns: 'private' }, '--userns: invalid USER mode'],
      [{ cgroupns: 'shared' }, '--cgroupns: invalid CGROUP mode'],
      [{ ipc: 'public' }, 'invalid IPC mode: public'],
      [{ isolation: 'process' }, "invalid isolation (process): linux only supports 'default'"],
      [{ uts: 'host', hostname: 'h' }, 'conflicting options: hostname and the UTS mode'],
      [{ sysctl: ['kernel.hostname=x'] }, /sysctl 'kernel.hostname=x' is not allowed/],
    ];
    for (const [flags, message] of cases) assert.throws(() => toRunRequest(flags, 'img', []), usage(message), JSON.stringify(flags));
  });
});

const V1: CgroupSupport = {
  memoryLimit: true, swapLimit: true, memoryReservation: true, memorySwappiness: true, oomKillDisable: true, cpuShares: true, cpuCfs: true,
  cpuRealtime: true, cpuset: true, cpus: '0-1', mems: '0', blkioWeight: false, blkioWeightDevice: false, blkioReadBps: true,
  blkioWriteBps: true, blkioReadIOps: true, blkioWriteIOps: true,
};

describe('the daemon’s resource checks', () => {
  const check = (host: Partial<HostConfig>, support: CgroupSupport = V1) => checkResources(host as HostConfig, support, 2);

  it('discards what the kernel lacks, with Docker’s warnings', () => {
    const { host, warnings } = check({ BlkioWeight: 300, BlkioWeightDevice: [{ Path: '/dev/vda', Weight: 300 }], CpuShares: 512 });
    assert.equal(host.BlkioWeight, 0);
    assert.deepEqual(host.BlkioWeightDevice, []);
    assert.equal(host.CpuShares, 512);
    assert.deepEqual(warnings, [
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
    ]);
    const noSwap = check({ Memory: 64 << 20 }, { ...V1, swapLimit: false, memorySwappiness: false });
    assert.equal(noSwap.host.MemorySwap, -1);
    assert.match(noSwap.warnings[0], /^Your kernel does not support swap limit capabilities/);
    assert.deepEqual(check({ OomKillDisable: true }).warnings, [
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    ]);
  });

  it('refuses settings that contradict each other or the host', () => {
    const cases: [Partial<HostConfig>, string][] = [
      [{ MemorySwap: 1 << 30 }, 'You should always set the Memory limit when using Memoryswap limit, see usage'],
      [{ Memory: 64 << 20, MemorySwap: 32 << 20 }, 'Minimum memoryswap limit should be larger than memory limit, see usage'],
      [{ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
      [{ MemoryReservation: 1 << 20 }, 'Minimum memory reservation allowed is 6MB'],
      [{ Memory: 64 << 20, MemoryReservation: 128 << 20 }, 'Minimum memory limit can not be less than memory reservation limit, see usage'],
      [{ NanoCpus: 1e9, CpuPeriod: 50000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
      [{ CpuPeriod: 10 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
      [{ CpuQuota: 10 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
      [{ CpuShares: -1 }, 'invalid CPU shares (-1): value must be a positive integer'],
      [{ CpuRealtimePeriod: 1000, CpuRealtimeRuntime: 2000 }, 'cpu real-time runtime cannot be higher than cpu real-time period'],
      [{ CpusetCpus: '0-3' }, 'Requested CPUs are not available - requested 0-3, available: 0-1'],
      [{ CpusetMems: 'x' }, 'Invalid value x for cpuset mems: invalid format: x'],
      [{ OomScoreAdj: -1001 }, 'Invalid value -1001, range for oom score adj is [-1000, 1000]'],
    ];
    for (const [host, message] of cases) assert.throws(() => check(host), usage(message), message);
    assert.throws(() => check({ CpuRealtimeRuntime: 1000 }, { ...V1, cpuRealtime: false }), usage('kernel does not support CPU real-time scheduler'));
    assert.throws(() => check({ BlkioWeight: 5 }, { ...V1, blkioWeight: true }), usage('Range of blkio weight is from 10 to 1000'));
  });

  it('cpuset lists and OOM scores', () => {
    assert.deepEqual([...(parseUintList('0-2,5') ?? [])], [0, 1, 2, 5]);
    assert.equal(parseUintList('2-1'), undefined);
    assert.equal(oomScoreBelowOwn(500, 0, false), undefined);
    assert.equal(oomScoreBelowOwn(-5, -10, false), undefined);
    assert.equal(oomScoreBelowOwn(-5, 0, true), undefined);
    assert.match(oomScoreBelowOwn(-5, 0, false) ?? '', /^--oom-score-adj -5: lower than berth's own OOM score adjustment \(0\)/);
  });

  it('probes cgroup v1 controllers by their files and v2 by the root’s controller list', () => {
    const v1 = mkdtempSync(join(tmpdir(), 'cgroup-v1-'));
    for (const [controller, files] of Object.entries({ cpu: ['cpu.shares'], cpuset: ['cpuset.cpus', 'cpuset.mems'], blkio: ['blkio.throttle.read_bps_device'] })) {
      mkdirSync(join(v1, controller));
      for (const file of files) writeFileSync(join(v1, controller, file), file === 'cpuset.cpus' ? '0-3\n' : '0\n');
    }
    const support = readCgroupSupport(v1);
    assert.equal(support.cpuShares, true);
    assert.equal(support.cpuCfs, false);
    assert.equal(support.blkioWeight, false);
    assert.equal(support.blkioReadBps, true);
    assert.equal(support.cpus, '0-3');
    const v2 = mkdtempSync(join(tmpdir(), 'cgroup-v2-'));
    writeFileSync(join(v2, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(v2, 'io.weight'), 'default 100\n');
    const unified = readCgroupSupport(v2);
    assert.equal(unified.memoryLimit, true);
    assert.equal(unified.blkioWeight, true);
    assert.equal(unified.cpuRealtime, false);
  });
});

describe('resource and namespace spec functions', () => {
  it('CPU and memory settings merge with what --cpus and --memory set', () => {
    const s = spec();
    withResources(s, {
      Memory: 64 << 20,
      NanoCpus: 5e8,
      CpuShares: 512,
      CpusetCpus: '0',
      CpuRealtimeRuntime: 1000,
      MemorySwap: -1,
      MemoryReservation: 32 << 20,
      MemorySwappiness: 0,
      OomKillDisable: true,
    });
    assert.deepEqual(s.linux.resources.cpu, { quota: 50000, period: 100000, shares: 512, cpus: '0', realtimeRuntime: 1000 });
    assert.deepEqual(s.linux.resources.memory, { limit: 64 << 20, reservation: 32 << 20, swappiness: 0, disableOOMKiller: true });
    assert.deepEqual(hostResources({ Memory: 64 << 20, MemorySwap: 96 << 20 }).memory, { limit: 64 << 20, swap: 96 << 20 });
    const none = spec();
    withResources(none, {});
    assert.equal(none.linux.resources.cpu, undefined);
    assert.equal(none.linux.resources.memory, undefined);
  });

  it('block IO settings name devices by major:minor', () => {
    const host = { BlkioWeight: 300, BlkioDeviceReadBps: [{ Path: '/dev/vda', Rate: 1024 }], BlkioDeviceWriteIOps: [{ Path: '/dev/vda', Rate: 10 }] };
    // without a device lookup (update's Tasks.Update) block IO is left out
    assert.equal(hostResources(host).blockIO, undefined);
    const s = spec();
    withResources(s, host, () => ({ major: 254, minor: 0 }));
    assert.deepEqual(s.linux.resources.blockIO, {
      weight: 300,
      throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1024 }],
      throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 10 }],
    });
  });

  it('--device adds the node and opens the device cgroup to it; a directory maps every device below it', () => {
    const s = spec();
    const before = s.linux.resources.devices.length;
    const lookup = (path: string) =>
      path === '/dev/snd'
        ? { directory: '/dev/snd', devices: [{ path: '/dev/snd/timer', type: 'c' as const, major: 116, minor: 33, fileMode: 0o660, uid: 0, gid: 0 }] }
        : { devices: [{ path: '/dev/null', type: 'c' as const, major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }] };
    withDevices(s, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' }, { PathOnHost: '/dev/snd', PathInContainer: '/dev/sound', CgroupPermissions: 'rwm' }], lookup);
    assert.deepEqual(s.linux.devices?.map((device) => device.path), ['/dev/mynull', '/dev/sound/timer']);
    assert.deepEqual(s.linux.resources.devices.slice(before), [
      { allow: true, type: 'c', major: 1, minor: 3, access: 'r' },
      { allow: true, type: 'c', major: 116, minor: 33, access: 'rwm' },
    ]);
    withDeviceCgroupRules(s, ['b *:* r']);
    assert.deepEqual(s.linux.resources.devices.at(-1), { allow: true, type: 'b', access: 'r' });
  });

  it('--pid, --ipc, --uts and --cgroupns shape the namespaces and /dev/shm', () => {
    const types = (s: ReturnType<typeof spec>) => s.linux.namespaces.map((namespace) => namespace.path ? `${namespace.type}=${namespace.path}` : namespace.type);
    const host = spec();
    withPidMode(host, 'host');
    withIpcMode(host, 'host');
    withUtsMode(host, 'host');
    assert.deepEqual(types(host), ['mount', 'network']);
    assert.deepEqual(host.mounts.find((mount) => mount.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });

    const joined = spec();
    withPidMode(joined, 'container:abc', '/proc/7/ns/pid');
    withIpcMode(joined, 'container:abc', undefined, { namespace: '/proc/7/ns/ipc', shm: '/state/abc/shm' });
    withCgroupnsMode(joined, 'private');
    assert.deepEqual(types(joined), ['uts', 'mount', 'network', 'pid=/proc/7/ns/pid', 'ipc=/proc/7/ns/ipc', 'cgroup']);
    assert.equal(joined.mounts.find((mount) => mount.destination === '/dev/shm')?.source, '/state/abc/shm');

    const sized = spec();
    withIpcMode(sized, 'private', 128 << 20);
    assert.ok(sized.mounts.find((mount) => mount.destination === '/dev/shm')?.options.includes(`size=${128 << 20}`));
    const none = spec();
    withIpcMode(none, 'none');
    assert.equal(none.mounts.some((mount) => mount.destination === '/dev/shm'), false);
  });

  it('sysctls only where the container has the namespace, in runc’s words', () => {
    const s = spec();
    withSysctls(s, { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1024', 'kernel.domainname': 'x' });
    assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1024', 'kernel.domainname': 'x' });
    const hostNet = spec();
    hostNet.linux.namespaces = hostNet.linux.namespaces.filter((namespace) => namespace.type !== 'network');
    assert.throws(() => withSysctls(hostNet, { 'net.core.somaxconn': '1' }), usage('sysctl "net.core.somaxconn" not allowed in host network namespace'));
    const hostIpc = spec();
    withIpcMode(hostIpc, 'host');
    assert.throws(() => withSysctls(hostIpc, { 'fs.mqueue.msg_max': '1' }), usage('sysctl "fs.mqueue.msg_max" is not allowed in the hosts ipc namespace'));
    assert.throws(() => withSysctls(spec(), { 'kernel.hostname': 'x' }), usage(/conflicts with the OCI "hostname" field/));
    assert.throws(() => withSysctls(spec(), { 'vm.swappiness': '1' }), usage('sysctl "vm.swappiness" is not in a separate kernel namespace'));
  });

  it('--cgroup-parent places the container’s cgroup under it', () => {
    const s = spec();
    withCgroupParent(s, '/berth-test/', 'c1');
    assert.equal(s.linux.cgroupsPath, '/berth-test/c1');
    const unchanged = spec();
    withCgroupParent(unchanged, undefined, 'c1');
    assert.equal(unchanged.linux.cgroupsPath, '/ns/c1');
  });
});
