// OCI spec generation: each option alone on Docker's defaults. The default spec is a golden
// file (test/golden/spec/default.json); regenerate it only after checking the change against
// moby's oci/defaults.go.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import type { ImageConfig } from '../../src/image/manifest.js';
import { parseCreateIntent } from '../../src/runtime/intent.js';
import { allCapabilities, effectiveCapabilities, withCapabilities, withPrivileged } from '../../src/runtime/spec/capabilities.js';
import { DEFAULT_CAPABILITIES, DEFAULT_PATH, defaultSpec } from '../../src/runtime/spec/defaults.js';
import { defaultHostname, mergeArgs, withImageConfig } from '../../src/runtime/spec/image-config.js';
import { parseBind, withBindMounts, withMounts, withReadonlyRootfs, withTmpfs } from '../../src/runtime/spec/mounts.js';
import { withAnnotations, withNetworkMode, withNoNewPrivileges, withTerminal } from '../../src/runtime/spec/process.js';
import { withResources, withUlimits } from '../../src/runtime/spec/resources.js';
import { convertSeccompProfile, parseSeccompProfile, withSeccomp } from '../../src/runtime/spec/seccomp.js';
import type { Spec } from '../../src/runtime/spec/types.js';
import { parseGroup, parsePasswd, resolveUser, withUser } from '../../src/runtime/spec/user.js';

const spec = (): Spec => defaultSpec('default', 'abc123');
const usage = (message: string | RegExp) => (error: unknown) => {
  assert.ok(isBerthError(error, 'usage'), `expected a usage error, got ${String(error)}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
};

function image(config: NonNullable<ImageConfig['config']>): ImageConfig {
  return { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } };
}

describe('defaultSpec', () => {
  it('matches the golden default spec', () => {
    const golden = JSON.parse(readFileSync(new URL('../golden/spec/default.json', import.meta.url), 'utf8'));
    assert.deepEqual(JSON.parse(JSON.stringify(spec())), golden);
  });

  it('puts the container in /<namespace>/<id> and gives each call its own objects', () => {
    const a = defaultSpec('k8s.io', 'c1');
    assert.equal(a.linux.cgroupsPath, '/k8s.io/c1');
    a.process.capabilities.bounding.pop();
    a.linux.resources.devices[0].allow = true;
    assert.equal(spec().process.capabilities.bounding.length, 14);
    assert.equal(spec().linux.resources.devices[0].allow, false);
  });
});

describe('withImageConfig', () => {
  const merge = (config: NonNullable<ImageConfig['config']>, request: object, hostname = 'host1'): Spec => {
    const s = spec();
    withImageConfig(s, image(config), parseCreateIntent({ Image: 'img', ...request }), hostname);
    return s;
  };

  const argsCases: { name: string; image: NonNullable<ImageConfig['config']>; request: object; args: string[] }[] = [
    { name: 'image entrypoint + image cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: {}, args: ['/ep', 'a'] },
    { name: 'user cmd replaces image cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: { Cmd: ['b', 'c'] }, args: ['/ep', 'b', 'c'] },
    { name: 'user entrypoint drops image cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: { Entrypoint: ['/x'] }, args: ['/x'] },
    { name: 'user entrypoint + user cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: { Entrypoint: '/x', Cmd: ['b'] }, args: ['/x', 'b'] },
    { name: "--entrypoint '' clears it, user cmd runs", image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: { Entrypoint: [''], Cmd: ['sh'] }, args: ['sh'] },
    { name: 'empty entrypoint list keeps image cmd (Engine API)', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, request: { Entrypoint: [] }, args: ['a'] },
    { name: 'image cmd alone', image: { Cmd: ['/bin/sh'] }, request: {}, args: ['/bin/sh'] },
    { name: 'null fields in the image', image: { Entrypoint: null, Cmd: ['x'] }, request: {}, args: ['x'] },
  ];
  for (const { name, image: config, request, args } of argsCases) {
    it(`args: ${name}`, () => assert.deepEqual(merge(config, request).process.args, args));
  }

  it('refuses to run nothing, as Docker does', () => {
    assert.throws(() => merge({}, {}), usage('no command specified'));
    assert.throws(() => merge({ Cmd: ['/bin/sh'] }, { Entrypoint: [''] }), usage('no command specified'));
    assert.throws(() => mergeArgs(undefined, { Cmd: [] }), usage('no command specified'));
  });

  it('env: defaults, then the user env, then the image env the user did not override', () => {
    const s = merge({ Cmd: ['x'], Env: ['PATH=/img/bin', 'A=image', 'B=image'] }, { Env: ['B=user', 'C=user'], Tty: true });
    assert.deepEqual(s.process.env, ['PATH=/img/bin', 'HOSTNAME=host1', 'TERM=xterm', 'B=user', 'C=user', 'A=image']);
  });

  it('env: default PATH when neither sets it, no TERM without a tty, a user can override PATH and TERM', () => {
    assert.deepEqual(merge({ Cmd: ['x'] }, {}).process.env, [`PATH=${DEFAULT_PATH}`, 'HOSTNAME=host1']);
    assert.deepEqual(merge({ Cmd: ['x'], Env: ['PATH=/img'] }, { Env: ['PATH=/mine', 'TERM=dumb'], Tty: true }).process.env, [
      'PATH=/mine',
      'HOSTNAME=host1',
      'TERM=dumb',
    ]);
  });

  it('working dir: the user’s, else the image’s, else /; relative is refused', () => {
    assert.equal(merge({ Cmd: ['x'] }, {}).process.cwd, '/');
    assert.equal(merge({ Cmd: ['x'], WorkingDir: '/app' }, {}).process.cwd, '/app');
    assert.equal(merge({ Cmd: ['x'], WorkingDir: '/app' }, { WorkingDir: '/work' }).process.cwd, '/work');
    assert.throws(() => merge({ Cmd: ['x'] }, { WorkingDir: 'rel' }), usage(/working directory 'rel' is invalid/));
  });

  it('hostname and domainname; the default hostname is the short ID', () => {
    const s = merge({ Cmd: ['x'] }, { Domainname: 'example.org' }, 'web');
    assert.equal(s.hostname, 'web');
    assert.equal(s.domainname, 'example.org');
    assert.equal(defaultHostname({}, '0123456789abcdef'), '0123456789ab');
    assert.equal(defaultHostname({ Hostname: 'mine' }, '0123456789abcdef'), 'mine');
  });
});

describe('withUser', () => {
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    '# a comment',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    'app:x:1000:1000::/home/app:/bin/sh',
    'broken line',
  ].join('\n');
  const group = ['root:x:0:root', 'daemon:x:1:', 'wheel:x:10:root,app', 'audio:x:29:app', 'app:x:1000:', 'staff:x:50:'].join('\n');

  it('parses passwd and group', () => {
    assert.deepEqual(parsePasswd(passwd)[2], { name: 'app', uid: 1000, gid: 1000, home: '/home/app' });
    assert.equal(parsePasswd(passwd).length, 3);
    assert.deepEqual(parseGroup(group)[2], { name: 'wheel', gid: 10, members: ['root', 'app'] });
  });

  const cases: { user: string; groupAdd?: string[]; expected: { uid: number; gid: number; additionalGids: number[] } }[] = [
    { user: '', expected: { uid: 0, gid: 0, additionalGids: [0, 10] } },
    { user: 'app', expected: { uid: 1000, gid: 1000, additionalGids: [10, 29] } },
    { user: '1000', expected: { uid: 1000, gid: 1000, additionalGids: [10, 29] } },
    { user: '4242', expected: { uid: 4242, gid: 0, additionalGids: [] } },
    { user: 'app:staff', expected: { uid: 1000, gid: 50, additionalGids: [] } },
    { user: 'app:4242', expected: { uid: 1000, gid: 4242, additionalGids: [] } },
    { user: '1:10', expected: { uid: 1, gid: 10, additionalGids: [] } },
    { user: 'app', groupAdd: ['staff', '777', 'audio'], expected: { uid: 1000, gid: 1000, additionalGids: [10, 29, 50, 777] } },
  ];
  for (const { user, groupAdd, expected } of cases) {
    it(`resolves ${JSON.stringify(user)}${groupAdd ? ` with --group-add ${groupAdd.join(',')}` : ''}`, () => {
      assert.deepEqual(resolveUser(user, passwd, group, groupAdd), expected);
    });
  }

  it('refuses unknown names, not unknown numbers', () => {
    assert.throws(() => resolveUser('nobody', passwd, group), usage('unable to find user nobody: no matching entries in passwd file'));
    assert.throws(() => resolveUser('app', '', ''), usage('unable to find user app: no matching entries in passwd file'));
    assert.throws(() => resolveUser('app:nogroup', passwd, group), usage('unable to find group nogroup: no matching entries in group file'));
    assert.throws(() => resolveUser('app', passwd, group, ['nogroup']), usage(/unable to find group nogroup/));
    assert.throws(() => resolveUser('4294967296', passwd, group), usage(/must be in range/));
    assert.deepEqual(resolveUser('0', '', ''), { uid: 0, gid: 0, additionalGids: [] });
  });

  it('writes process.user, additionalGids only when there are some', () => {
    const s = spec();
    withUser(s, 'app', passwd, group);
    assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [10, 29] });
    withUser(s, '4242', passwd, group);
    assert.deepEqual(s.process.user, { uid: 4242, gid: 0 });
  });
});

describe('capabilities', () => {
  const LAST_CAP = 40;
  const cases: { name: string; add: string[]; drop: string[]; expected: string[] }[] = [
    { name: 'defaults', add: [], drop: [], expected: [...DEFAULT_CAPABILITIES] },
    { name: 'drop ALL, add CHOWN', add: ['CHOWN'], drop: ['ALL'], expected: ['CAP_CHOWN'] },
    { name: 'case and CAP_ prefix do not matter', add: ['cap_sys_admin', 'Net_Admin'], drop: ['chown', 'CAP_KILL'], expected: [
      ...DEFAULT_CAPABILITIES.filter((cap) => cap !== 'CAP_CHOWN' && cap !== 'CAP_KILL'),
      'CAP_SYS_ADMIN',
      'CAP_NET_ADMIN',
    ] },
    { name: 'add ALL but drop one', add: ['all'], drop: ['SYS_ADMIN'], expected: allCapabilities(LAST_CAP).filter((cap) => cap !== 'CAP_SYS_ADMIN') },
    { name: 'adding a default again keeps one copy', add: ['CHOWN'], drop: [], expected: [...DEFAULT_CAPABILITIES] },
    { name: 'drop ALL alone leaves nothing', add: [], drop: ['ALL'], expected: [] },
  ];
  for (const { name, add, drop, expected } of cases) {
    it(name, () => assert.deepEqual(effectiveCapabilities(add, drop, false, LAST_CAP), expected));
  }

  it('refuses unknown capabilities', () => {
    assert.throws(() => effectiveCapabilities(['FLY'], [], false, LAST_CAP), usage('unknown capability: "CAP_FLY"'));
  });

  it('ALL is what the kernel supports', () => {
    assert.equal(allCapabilities(37).at(-1), 'CAP_AUDIT_READ');
    assert.equal(effectiveCapabilities([], [], true, 37).length, 38);
  });

  it('sets bounding, effective and permitted; inheritable and ambient stay empty', () => {
    const s = spec();
    withCapabilities(s, ['NET_ADMIN'], ['ALL'], false, LAST_CAP);
    assert.deepEqual(s.process.capabilities, {
      bounding: ['CAP_NET_ADMIN'],
      effective: ['CAP_NET_ADMIN'],
      inheritable: [],
      permitted: ['CAP_NET_ADMIN'],
      ambient: [],
    });
  });

  it('privileged: all capabilities, nothing masked, every device, /sys writable', () => {
    const s = spec();
    withPrivileged(s, LAST_CAP);
    assert.equal(s.process.capabilities.bounding.length, 41);
    assert.deepEqual(s.linux.maskedPaths, []);
    assert.deepEqual(s.linux.readonlyPaths, []);
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(s.mounts.filter((m) => m.destination.startsWith('/sys')).every((m) => m.options.includes('rw') && !m.options.includes('ro')));
  });
});

describe('mounts', () => {
  const mountAt = (s: Spec, destination: string) => s.mounts.filter((m) => m.destination === destination);

  it('read-only rootfs', () => {
    const s = spec();
    withReadonlyRootfs(s);
    assert.equal(s.root.readonly, true);
  });

  it('tmpfs: noexec,nosuid,nodev unless overridden; replaces a default mount', () => {
    const s = spec();
    withTmpfs(s, '/run');
    withTmpfs(s, '/dev/shm', 'exec,size=128m,mode=1777');
    assert.deepEqual(mountAt(s, '/run'), [{ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev'] }]);
    assert.deepEqual(mountAt(s, '/dev/shm')[0].options, ['nosuid', 'nodev', 'exec', 'size=128m', 'mode=1777']);
    assert.equal(mountAt(s, '/dev/shm').length, 1);
    assert.throws(() => withTmpfs(s, 'run'), usage(/must be absolute/));
  });

  const binds: { bind: string; options: string[] }[] = [
    { bind: '/src:/dst', options: ['rbind', 'rprivate', 'rw'] },
    { bind: '/src:/dst:ro', options: ['rbind', 'rprivate', 'ro'] },
    { bind: '/src:/dst:rw,rshared', options: ['rbind', 'rshared', 'rw'] },
    { bind: '/src:/dst:ro,cached', options: ['rbind', 'rprivate', 'ro'] },
  ];
  for (const { bind, options } of binds) {
    it(`bind ${bind}`, () => assert.deepEqual(parseBind(bind), { destination: '/dst', type: 'bind', source: '/src', options }));
  }

  it('refuses relative sources and targets, bad modes and shapes', () => {
    assert.throws(() => parseBind('data:/dst'), usage(/a host path must be absolute/));
    assert.throws(() => parseBind('./data:/dst'), usage(/must be absolute/));
    assert.throws(() => parseBind('/src:dst'), usage("invalid mount path: 'dst' mount path must be absolute"));
    assert.throws(() => parseBind('/src:/dst:rx'), usage('invalid mode: rx'));
    assert.throws(() => parseBind('/src'), usage("invalid volume specification: '/src'"));
  });

  it('withBindMounts and withMounts add binds, replacing a default at the same place', () => {
    const s = spec();
    withBindMounts(s, ['/host/shm:/dev/shm']);
    withMounts(s, [{ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }]);
    assert.deepEqual(mountAt(s, '/dev/shm'), [{ destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind', 'rprivate', 'rw'] }]);
    assert.deepEqual(mountAt(s, '/b')[0].options, ['rbind', 'rprivate', 'ro']);
  });
});

describe('resources and limits', () => {
  it('memory (swap twice as much), CPUs as a quota of a 100ms period, pids', () => {
    const s = spec();
    withResources(s, { Memory: 512 * 1024 * 1024, NanoCpus: 1_500_000_000, PidsLimit: 100 });
    assert.deepEqual(s.linux.resources.memory, { limit: 536870912, swap: 1073741824 });
    assert.deepEqual(s.linux.resources.cpu, { quota: 150000, period: 100000 });
    assert.deepEqual(s.linux.resources.pids, { limit: 100 });
  });

  it('zero means unset', () => {
    const s = spec();
    withResources(s, {});
    assert.deepEqual(Object.keys(s.linux.resources), ['devices']);
  });

  it('ulimits replace the NOFILE default; bad ones are refused', () => {
    const s = spec();
    withUlimits(s, [{ Name: 'nofile', Soft: 512, Hard: 2048 }, { Name: 'nproc', Soft: 10, Hard: 10 }]);
    assert.deepEqual(s.process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 2048, soft: 512 },
      { type: 'RLIMIT_NPROC', hard: 10, soft: 10 },
    ]);
    assert.throws(() => withUlimits(s, [{ Name: 'bogus', Soft: 1, Hard: 1 }]), usage('invalid ulimit type: bogus'));
    assert.throws(() => withUlimits(s, [{ Name: 'nofile', Soft: 2, Hard: 1 }]), usage(/soft limit must be less than or equal to hard limit: 2 > 1/));
  });
});

describe('process options', () => {
  it('terminal, no-new-privileges, annotations, host network', () => {
    const s = spec();
    withTerminal(s);
    withNoNewPrivileges(s);
    withAnnotations(s, { a: '1' });
    withAnnotations(s, { b: '2' });
    withNetworkMode(s, 'host');
    assert.equal(s.process.terminal, true);
    assert.equal(s.process.noNewPrivileges, true);
    assert.deepEqual(s.annotations, { a: '1', b: '2' });
    assert.ok(!s.linux.namespaces.some((ns) => ns.type === 'network'));
    const none = spec();
    withNetworkMode(none, 'none');
    assert.ok(none.linux.namespaces.some((ns) => ns.type === 'network'));
  });
});

describe('seccomp', () => {
  const x86 = { arch: 'amd64', kernel: '6.8.0-45-generic' };
  const rulesFor = (seccomp: ReturnType<typeof convertSeccompProfile>, name: string) => seccomp.syscalls.filter((rule) => rule.names.includes(name));

  it('unconfined removes the filter', () => {
    const s = spec();
    withSeccomp(s, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }), x86);
    assert.ok(s.linux.seccomp);
    withSeccomp(s, 'unconfined');
    assert.equal(s.linux.seccomp, undefined);
  });

  it('refuses a profile that is not one', () => {
    assert.throws(() => withSeccomp(spec(), '{', x86), usage(/^decoding seccomp profile failed/));
    assert.throws(() => withSeccomp(spec(), '{"syscalls": []}', x86), usage(/defaultAction/));
  });

  it('keeps only rules whose caps, arches and minKernel hold', () => {
    const profile = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [
          { names: ['unshare'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
          { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
          { names: ['sync_file_range2'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['ppc64le'] } },
          { names: ['new_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '7.1' } },
          { name: 'old_call', action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
          { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, excludes: { caps: ['CAP_AUDIT_WRITE'] } },
        ],
      }),
    );
    const plain = convertSeccompProfile(profile, [...DEFAULT_CAPABILITIES], x86);
    assert.deepEqual(plain.syscalls.map((rule) => rule.names[0]), ['arch_prctl', 'old_call']);
    assert.deepEqual(plain.architectures, ['SCMP_ARCH_X86_64']);
    const admin = convertSeccompProfile(profile, ['CAP_SYS_ADMIN'], x86);
    assert.deepEqual(admin.syscalls.map((rule) => rule.names[0]), ['unshare', 'arch_prctl', 'old_call', 'socket']);
    assert.deepEqual(rulesFor(admin, 'socket'), [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22 }]);
  });

  const HOST_PROFILE = '/usr/share/containers/seccomp.json';
  it('converts this machine’s containers/common profile', { skip: !existsSync(HOST_PROFILE) && `no ${HOST_PROFILE}` }, () => {
    const s = spec();
    withSeccomp(s, readFileSync(HOST_PROFILE, 'utf8'), x86);
    const seccomp = s.linux.seccomp!;
    // This profile (containers/common's, unlike Docker's) fails unknown calls with ENOSYS so
    // that programs fall back to older calls, and lets unprivileged containers unshare.
    assert.equal(seccomp.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(seccomp.defaultErrnoRet, 38);
    assert.deepEqual(seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.ok(rulesFor(seccomp, 'unshare').every((rule) => rule.action === 'SCMP_ACT_ALLOW'));

    // bpf needs CAP_SYS_ADMIN: denied with EPERM by default, allowed once it is added.
    assert.deepEqual(rulesFor(seccomp, 'bpf'), [{ names: rulesFor(seccomp, 'bpf')[0].names, action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
    assert.ok(rulesFor(seccomp, 'arch_prctl').length > 0);
    assert.equal(rulesFor(seccomp, 'sync_file_range2').length, 0);

    const admin = spec();
    withCapabilities(admin, ['SYS_ADMIN'], [], false, 40);
    withSeccomp(admin, readFileSync(HOST_PROFILE, 'utf8'), x86);
    assert.deepEqual(rulesFor(admin.linux.seccomp!, 'bpf').map((rule) => rule.action), ['SCMP_ACT_ALLOW']);

    const arm = convertSeccompProfile(parseSeccompProfile(readFileSync(HOST_PROFILE, 'utf8')), [...DEFAULT_CAPABILITIES], { arch: 'arm64', kernel: '6.1' });
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.equal(rulesFor(arm, 'arch_prctl').length, 0);
  });
});
