// The whole spec from flags: golden files for a few command lines, and the rules buildSpec adds
// on top of the spec/*.ts functions (etc files, init, privileged devices, mount order, runtime).
// Regenerate the goldens with UPDATE_GOLDEN=1 after checking the difference by hand.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import type { ImageConfig } from '../../src/image/manifest.js';
import { toRunRequest, type ContainerFlags } from '../../src/runtime/create-options.js';
import { buildSpec, INIT_PATH, noNewPrivileges, prepareBindSources, runtimeOptions, type SpecInput } from '../../src/runtime/spec/build.js';
import { readHostDevices } from '../../src/runtime/spec/devices.js';
import type { Spec } from '../../src/runtime/spec/types.js';

const IMAGE: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['LANG=C.UTF-8'], Entrypoint: ['/entrypoint.sh'], Cmd: ['serve'], WorkingDir: '/app', User: 'app', StopSignal: 'SIGQUIT' },
  rootfs: { type: 'layers', diff_ids: [] },
};
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';
const GROUP = 'root:x:0:\napp:x:1000:\nstaff:x:50:app\naudio:x:29:\n';
const PROFILE = JSON.stringify({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_PTRACE'] } },
  ],
});
const ETC = { hostname: '/data/c1/hostname', hosts: '/data/c1/hosts', resolvConf: '/data/c1/resolv.conf' };

function specFor(flags: ContainerFlags, args: string[] = [], extra: Partial<SpecInput> = {}): Spec {
  const { intent } = toRunRequest(flags, 'example/app', args, { environment: {}, cwd: '/work' });
  return buildSpec({
    namespace: 'default',
    id: 'c1',
    intent,
    imageConfig: IMAGE,
    hostname: intent.Hostname ?? 'c1',
    etcFiles: ETC,
    passwd: PASSWD,
    group: GROUP,
    initBinary: '/bin/sh',
    seccompProfile: PROFILE,
    seccompTarget: { arch: 'amd64', kernel: '6.1.0' },
    lastCap: 40,
    hostDevices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 }],
    ...extra,
  });
}

function golden(name: string, spec: Spec): void {
  const path = new URL(`../golden/spec/${name}.json`, import.meta.url);
  const actual = JSON.parse(JSON.stringify(spec));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

describe('buildSpec goldens', () => {
  it('an everyday run: env, user, binds, tmpfs, limits, seccomp', () => {
    golden(
      'run-everyday',
      specFor(
        {
          env: ['A=1'], 'group-add': ['audio'], volume: ['/srv/data:/app/data:ro', '/srv:/app'], mount: ['type=bind,src=/etc/ssl,dst=/etc/ssl,readonly'],
          tmpfs: ['/run:size=64m'], memory: '64m', cpus: '0.5', 'pids-limit': '64', ulimit: ['nofile=512:1024'], 'cap-drop': ['NET_RAW'],
          'security-opt': ['no-new-privileges'], annotation: ['org.example/team=infra'], hostname: 'web', domainname: 'example.org', tty: true, interactive: true,
        },
        ['--port', '80'],
      ),
    );
  });

  it('--privileged --init --read-only --network host --entrypoint ""', () => {
    golden('run-privileged-init', specFor({ privileged: true, init: true, 'read-only': true, network: 'host', entrypoint: '', user: '0:0' }, ['sh', '-c', 'true']));
  });

  it('--cap-drop ALL --cap-add CHOWN, unconfined seccomp, systempaths unconfined', () => {
    golden(
      'run-minimal-caps',
      specFor({ 'cap-drop': ['ALL'], 'cap-add': ['CHOWN'], 'security-opt': ['seccomp=unconfined', 'systempaths=unconfined'], user: 'nobody-numeric:staff'.replace('nobody-numeric', '4242') }, ['id'], { seccompProfile: undefined }),
    );
  });
});

describe('buildSpec rules', () => {
  it('merges the image config: entrypoint, user and supplementary groups, env with PATH, cwd', () => {
    const spec = specFor({ 'group-add': ['audio'] });
    assert.deepEqual(spec.process.args, ['/entrypoint.sh', 'serve']);
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [50, 29] });
    assert.equal(spec.process.cwd, '/app');
    assert.deepEqual(spec.process.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=c1', 'LANG=C.UTF-8']);
  });

  it('an image without passwd still runs as a numeric user, and a named one is an error', () => {
    assert.deepEqual(specFor({ user: '123:456' }, [], { passwd: undefined, group: undefined }).process.user, { uid: 123, gid: 456 });
    assert.throws(() => specFor({}, [], { passwd: undefined }), (error) => isBerthError(error, 'usage') && /unable to find user app/.test(error.message));
  });

  it('mounts /etc/hostname, /etc/hosts and /etc/resolv.conf read-write, read-only under --read-only, never over a user mount', () => {
    const etc = (spec: Spec) => spec.mounts.filter((mount) => mount.destination.startsWith('/etc/'));
    assert.deepEqual(etc(specFor({})).map((mount) => [mount.destination, mount.source, mount.options.at(-1)]), [
      ['/etc/resolv.conf', ETC.resolvConf, 'rw'],
      ['/etc/hostname', ETC.hostname, 'rw'],
      ['/etc/hosts', ETC.hosts, 'rw'],
    ]);
    assert.ok(etc(specFor({ 'read-only': true })).every((mount) => mount.options.includes('ro')));
    const custom = etc(specFor({ volume: ['/my/hosts:/etc/hosts:ro'] })).filter((mount) => mount.destination === '/etc/hosts');
    assert.deepEqual(custom.map((mount) => mount.source), ['/my/hosts']);
  });

  it('mounts parents before children whatever the flag order', () => {
    const spec = specFor({ volume: ['/a:/x/y/z', '/b:/x'], tmpfs: ['/x/y'] });
    const order = spec.mounts.map((mount) => mount.destination).filter((destination) => destination.startsWith('/x'));
    assert.deepEqual(order, ['/x', '/x/y', '/x/y/z']);
  });

  it('--init runs docker-init first and needs the binary', () => {
    const spec = specFor({ init: true }, ['echo', 'hi']);
    assert.deepEqual(spec.process.args, [INIT_PATH, '--', '/entrypoint.sh', 'echo', 'hi']);
    assert.deepEqual(spec.mounts.find((mount) => mount.destination === INIT_PATH), { destination: INIT_PATH, type: 'bind', source: '/bin/sh', options: ['bind', 'ro'] });
    assert.throws(
      () => specFor({ init: true }, [], { initBinary: '/nonexistent/tini-static' }),
      (error) => isBerthError(error, 'failed-precondition') && error.exitCode === 125 && /install Debian's tini/.test(error.message),
    );
  });

  it('--privileged: all capabilities, host devices, nothing masked, no seccomp', () => {
    const spec = specFor({ privileged: true });
    assert.equal(spec.process.capabilities.bounding.length, 41);
    assert.deepEqual(spec.linux.devices?.map((device) => device.path), ['/dev/sda']);
    assert.deepEqual([spec.linux.maskedPaths, spec.linux.readonlyPaths, spec.linux.seccomp], [[], [], undefined]);
  });

  it('the seccomp profile follows the capabilities', () => {
    const names = (spec: Spec) => spec.linux.seccomp?.syscalls.flatMap((rule) => rule.names);
    assert.deepEqual(names(specFor({})), ['read', 'write']);
    assert.deepEqual(names(specFor({ 'cap-add': ['SYS_PTRACE'] })), ['read', 'write', 'ptrace']);
  });

  it('network none keeps a network namespace, host shares the host\'s', () => {
    const hasNetns = (spec: Spec) => spec.linux.namespaces.some((namespace) => namespace.type === 'network');
    assert.equal(hasNetns(specFor({})), true);
    assert.equal(hasNetns(specFor({ network: 'host' })), false);
  });

  it('no-new-privileges: the last mention wins', () => {
    assert.equal(noNewPrivileges(['no-new-privileges']), true);
    assert.equal(noNewPrivileges(['no-new-privileges', 'no-new-privileges=false']), false);
    assert.equal(noNewPrivileges(['no-new-privileges:true']), true);
    assert.equal(noNewPrivileges([]), false);
  });
});

describe('runtimeOptions', () => {
  it('runc by its names', () => {
    for (const name of [undefined, '', 'runc', 'io.containerd.runc.v2']) assert.deepEqual(runtimeOptions(name), { name: 'io.containerd.runc.v2' });
  });
  it('a runc-compatible binary by absolute path', () => assert.deepEqual(runtimeOptions('/bin/sh'), { name: 'io.containerd.runc.v2', binaryName: '/bin/sh' }));
  it('refuses other names and paths that are not executables', () => {
    assert.throws(() => runtimeOptions('kata'), (error) => isBerthError(error, 'usage') && error.message === 'unknown or invalid runtime name: kata');
    assert.throws(() => runtimeOptions('/nonexistent/runc'), (error) => isBerthError(error, 'usage'));
    const plain = join(mkdtempSync(join(tmpdir(), 'berth-runtime-')), 'runc');
    writeFileSync(plain, '', { mode: 0o644 });
    assert.throws(() => runtimeOptions(plain), (error) => isBerthError(error, 'usage'));
  });
});

describe('prepareBindSources', () => {
  it('creates a missing -v source and refuses a missing --mount source, as the daemon does', () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-binds-'));
    const { intent } = toRunRequest({ volume: [`${root}/made/here:/x`] }, 'img', []);
    prepareBindSources(intent);
    assert.ok(existsSync(join(root, 'made/here')));
    const mounted = toRunRequest({ mount: [`type=bind,src=${root}/absent,dst=/y`] }, 'img', []).intent;
    assert.throws(() => prepareBindSources(mounted), (error) => isBerthError(error, 'usage') && /bind source path does not exist/.test(error.message));
  });
});

describe('readHostDevices', () => {
  it('finds this host\'s null device and leaves out symlinks, pts and the console', () => {
    const devices = readHostDevices();
    assert.deepEqual(devices.find((device) => device.path === '/dev/null'), { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 });
    assert.ok(devices.every((device) => !device.path.startsWith('/dev/pts/') && device.path !== '/dev/console' && device.path !== '/dev/stdin'));
  });
});
