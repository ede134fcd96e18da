// Resource limits and the security defaults, as the container itself sees them. This host's
// cgroups are v1: each controller is mounted at /sys/fs/cgroup/<controller> in the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { world } from './harness.js';
import { lines, scene } from './containers-kit.js';

test('--memory 64m, --cpus 0.5, --pids-limit 50 are in the container’s cgroup', async () => {
  await scene(async ({ b, img }) => {
    const read = 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/pids/pids.max';
    const limited = await b(['run', '--rm', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', img, 'sh', '-c', read]);
    assert.equal(limited.code, 0, limited.stderr);
    assert.deepEqual(lines(limited.stdout), ['67108864', '50000', '100000', '50']);
    // without the flags: no quota, no pids limit
    const free = await b(['run', '--rm', img, 'sh', '-c', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max']);
    assert.equal(free.code, 0, free.stderr);
    assert.deepEqual(lines(free.stdout), ['-1', 'max']);
  });
});

test('--memory below Docker’s minimum (6m) is refused before anything is created', async () => {
  await scene(async ({ b, img }) => {
    const tiny = await b(['run', '--rm', '--memory', '1m', img, 'true']);
    assert.equal(tiny.code, 125);
    assert.match(tiny.stderr, /Minimum memory limit allowed is 6MB/);
  });
});

test('--ulimit nofile=soft:hard is the container’s rlimit', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--ulimit', 'nofile=1024:2048', img, 'sh', '-c', 'ulimit -n; ulimit -Hn']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '1024\n2048\n');
  });
});

test('--read-only: the root filesystem refuses writes; /dev/shm still takes them', async () => {
  await scene(async ({ b, img }) => {
    const denied = await b(['run', '--rm', '--read-only', img, 'touch', '/x']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Read-only file system/);
    const shm = await b(['run', '--rm', '--read-only', img, 'touch', '/dev/shm/x']);
    assert.equal(shm.code, 0, shm.stderr);
    const writable = await b(['run', '--rm', img, 'touch', '/x']);
    assert.equal(writable.code, 0, writable.stderr);
  });
});

test('--cap-drop ALL: chown fails; with Docker’s default capabilities it succeeds; --cap-add gives one back', async () => {
  await scene(async ({ b, img }) => {
    const dropped = await b(['run', '--rm', '--cap-drop', 'ALL', img, 'chown', '1000', '/tmp']);
    assert.equal(dropped.code, 1);
    assert.match(dropped.stderr, /Operation not permitted/);
    const byDefault = await b(['run', '--rm', img, 'chown', '1000', '/tmp']);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    const given = await b(['run', '--rm', '--cap-drop', 'ALL', '--cap-add', 'CHOWN', img, 'chown', '1000', '/tmp']);
    assert.equal(given.code, 0, given.stderr);
    // the bounding set: 14 default capabilities = 0x00000000a80425fb
    const caps = await b(['run', '--rm', img, 'grep', 'CapBnd', '/proc/self/status']);
    assert.match(caps.stdout, /CapBnd:\s+00000000a80425fb/);
  });
});

test('seccomp: the default profile is in force; unconfined turns it off; a profile FILE is applied', async () => {
  await scene(async ({ b, img }) => {
    const mode = (...flags: string[]) => b(['run', '--rm', ...flags, img, 'grep', '^Seccomp:', '/proc/self/status']);
    // 2 = filter mode
    assert.match((await mode()).stdout, /^Seccomp:\s+2$/m);
    assert.match((await mode('--security-opt', 'seccomp=unconfined')).stdout, /^Seccomp:\s+0$/m);

    const unconfined = await b(['run', '--rm', '--security-opt', 'seccomp=unconfined', img, 'unshare', '-U', 'true']);
    assert.equal(unconfined.code, 0, unconfined.stderr);

    const dir = await mkdtemp(join(world().tmp, 'seccomp-'));
    const profile = join(dir, 'no-mkdir.json');
    await writeFile(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    const denied = await b(['run', '--rm', '--security-opt', `seccomp=${profile}`, img, 'mkdir', '/made']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Operation not permitted/);
    const missing = await b(['run', '--rm', '--security-opt', `seccomp=${join(dir, 'nope.json')}`, img, 'true']);
    assert.equal(missing.code, 125);
  });
});

// Docker's own default profile allows unshare only with CAP_SYS_ADMIN. containers-common's
// /usr/share/containers/seccomp.json, which berth reads, allows it to everyone: berth keeps
// Docker's namespace rule on top of it.
test('the default seccomp profile denies unshare -U (Docker’s default does)', async () => {
  await scene(async ({ b, img }) => {
    const denied = await b(['run', '--rm', img, 'unshare', '-U', 'true']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Operation not permitted/);
  });
});

test('--security-opt no-new-privileges sets NoNewPrivs', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--security-opt', 'no-new-privileges', img, 'grep', '^NoNewPrivs:', '/proc/self/status']);
    assert.match(run.stdout, /^NoNewPrivs:\s+1$/m);
    const plain = await b(['run', '--rm', img, 'grep', '^NoNewPrivs:', '/proc/self/status']);
    assert.match(plain.stdout, /^NoNewPrivs:\s+0$/m);
  });
});

test('--privileged sees the host’s devices and all capabilities; the default /dev is minimal', async () => {
  await scene(async ({ b, img }) => {
    const count = async (...flags: string[]) => {
      const run = await b(['run', '--rm', ...flags, img, 'sh', '-c', 'ls /dev | wc -l']);
      assert.equal(run.code, 0, run.stderr);
      return Number(run.stdout.trim());
    };
    const plain = await count();
    const privileged = await count('--privileged');
    assert.ok(plain < 25, `default /dev has ${plain} entries`);
    assert.ok(privileged > plain + 10, `privileged /dev has ${privileged} entries, default ${plain}`);
    const kmsg = await b(['run', '--rm', '--privileged', img, 'test', '-c', '/dev/kmsg']);
    assert.equal(kmsg.code, 0);
    assert.notEqual((await b(['run', '--rm', img, 'test', '-e', '/dev/kmsg'])).code, 0);
    const mount = await b(['run', '--rm', '--privileged', img, 'sh', '-c', 'mkdir -p /scratch && mount -t tmpfs none /scratch && echo mounted']);
    assert.equal(mount.stdout, 'mounted\n', mount.stderr);
  });
});

test('masked and read-only paths of Docker’s default spec', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', img, 'sh', '-c', 'cat /proc/kcore | wc -c; echo 1 > /proc/sys/kernel/domainname; echo $?']);
    assert.equal(run.stdout.split('\n')[0], '0');
    assert.match(run.stderr, /Read-only file system/);
  });
});

test('--ulimit within the host’s hard limit is applied; above it, without CAP_SYS_RESOURCE, a clear error and exit 125', async () => {
  await scene(async ({ b, img }) => {
    const within = await b(['run', '--rm', '--ulimit', 'nofile=512:1024', img, 'sh', '-c', 'ulimit -n; ulimit -Hn']);
    assert.deepEqual(lines(within.stdout), ['512', '1024']);
    const status = readFileSync('/proc/self/status', 'utf8');
    const bounding = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
    const hostHard = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
    const above = await b(['run', '--rm', '--ulimit', `nofile=${hostHard + 1}:${hostHard + 1}`, img, 'true']);
    if (((bounding >> 24n) & 1n) === 1n) {
      assert.equal(above.code, 0, above.stderr); // root with CAP_SYS_RESOURCE may raise it
    } else {
      assert.equal(above.code, 125);
      assert.match(above.stderr, new RegExp(`^--ulimit nofile=${hostHard + 1}:${hostHard + 1}: the hard limit is above this host's \\(${hostHard}\\)`));
    }
  });
});
