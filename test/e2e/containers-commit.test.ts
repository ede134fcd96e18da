// diff, export, commit, pause and unpause, as a Docker user sees them: the change list, the
// exported root filesystem, committed images that run, push and pull, and frozen processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../world/world.js';
import { uniqueName, world } from './harness.js';
import { berthEnv, eventually, lines, scene, type Berth } from './containers-kit.js';

const BERTH_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const IMAGE_ID = /^sha256:[0-9a-f]{64}\n$/;

/** A running container that added /root/new, changed /etc/passwd and deleted /bin/vi. */
async function changedContainer(b: Berth, img: string, name: string): Promise<void> {
  const run = await b(['run', '-d', '--name', name, img, 'sh', '-c', 'echo new > /root/new; echo x >> /etc/passwd; rm /bin/vi; touch /tmp/ready; sleep 600']);
  assert.equal(run.code, 0, run.stderr);
  await eventually('the container made its changes', async () => (await b(['exec', name, 'ls', '/tmp/ready'])).code === 0, 30_000, 200);
}

test('diff lists an added file as A, a changed one as C, a deleted one as D, running and stopped', async () => {
  await scene(async ({ b, img }) => {
    await changedContainer(b, img, 'changed');
    const expected = ['C /bin', 'D /bin/vi', 'C /etc/passwd', 'C /root', 'A /root/new', 'C /tmp', 'A /tmp/ready'];
    const running = await b(['diff', 'changed']);
    assert.equal(running.code, 0, running.stderr);
    assert.deepEqual(lines(running.stdout), expected);
    assert.equal((await b(['stop', '-t', '0', 'changed'])).code, 0);
    const stopped = await b(['container', 'diff', 'changed']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual(lines(stopped.stdout), expected);
    const missing = await b(['diff', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'No such container: nosuch\n');
  });
});

test('export streams the whole root filesystem as a tar to stdout or to -o FILE', async () => {
  await scene(async ({ namespace, b, img }) => {
    await changedContainer(b, img, 'exported');
    const piped = await runProcess('sh', ['-c', `"${process.execPath}" "${BERTH_BIN}" -n ${namespace} export exported | tar t`], { env: berthEnv() });
    assert.equal(piped.code, 0, piped.stderr);
    const listed = lines(piped.stdout);
    for (const path of ['bin/busybox', 'bin/sh', 'root/new', 'etc/passwd']) assert.ok(listed.includes(path), `${path} in ${listed.length} entries`);
    assert.ok(!listed.includes('bin/vi'), 'the deleted file is not exported');

    const directory = await mkdtemp(join(tmpdir(), 'berth-export-'));
    try {
      const file = join(directory, 'rootfs.tar');
      const written = await b(['container', 'export', '-o', file, 'exported']);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(written.stdout, '');
      const content = await runProcess('tar', ['-xOf', file, 'root/new']);
      assert.equal(content.stdout, 'new\n');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

test('commit makes an image that runs with the change; -c, -m and -a are in its config and history', async () => {
  await scene(async ({ b, img }) => {
    await changedContainer(b, img, 'committed');
    const committed = await b(['commit', '-m', 'added new', '-a', 'Jane <jane@example.com>', 'committed', 'local/committed:v1']);
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stdout, IMAGE_ID);
    assert.equal((await b(['ps', '--format', '{{.Names}} {{.Status}}'])).stdout.includes('(Paused)'), false, 'resumed after the commit');

    const ran = await b(['run', '--rm', 'local/committed:v1', 'sh', '-c', 'cat /root/new; ls /bin/vi 2>&1 || true']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^new\nls: \/bin\/vi: No such file or directory\n$/);

    const inspected = await b(['image', 'inspect', '--format', '{{.Id}}|{{.Author}}|{{.Comment}}|{{len .RootFS.Layers}}', 'local/committed:v1']);
    assert.equal(inspected.stdout, `${committed.stdout.trim()}|Jane <jane@example.com>|added new|2\n`);
    const history = await b(['history', '--format', '{{.CreatedBy}}|{{.Comment}}', '--no-trunc', 'local/committed:v1']);
    assert.equal(lines(history.stdout)[0], 'sh -c echo new > /root/new; echo x >> /etc/passwd; rm /bin/vi; touch /tmp/ready; sleep 600|added new');

    const withCmd = await b(['commit', '-c', 'CMD ["echo","hi"]', 'committed']);
    assert.equal(withCmd.code, 0, withCmd.stderr);
    const untagged = await b(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    assert.ok(lines(untagged.stdout).includes(`<none>:<none> ${withCmd.stdout.trim().slice(7, 19)}`), untagged.stdout);
    const hi = await b(['run', '--rm', withCmd.stdout.trim()]);
    assert.equal(hi.code, 0, hi.stderr);
    assert.equal(hi.stdout, 'hi\n');

    const badChange = await b(['commit', '-c', 'RUN echo', 'committed']);
    assert.equal(badChange.code, 125);
    assert.match(badChange.stderr, /RUN is not a valid change command/);
  });
});

test('a committed image can be pushed to a registry and pulled back', async () => {
  const repository = `${world().registry.host}/${uniqueName('committed')}/image:v1`;
  await scene(async ({ b, img }) => {
    await changedContainer(b, img, 'pushed');
    assert.equal((await b(['commit', 'pushed', repository])).code, 0);
    const pushed = await b(['push', repository]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal((await b(['rm', '-f', 'pushed'])).code, 0);
    assert.equal((await b(['rmi', repository])).code, 0);
    const pulled = await b(['pull', '-q', repository]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const ran = await b(['run', '--rm', repository, 'cat', '/root/new']);
    assert.equal(ran.stdout, 'new\n', ran.stderr);
  });
});

test('pause freezes the processes and ps shows (Paused); unpause resumes; a stopped container cannot be paused', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '-d', '--name', 'counter', img, 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done']);
    assert.equal(run.code, 0, run.stderr);
    const count = async () => Number((await b(['exec', 'counter', 'cat', '/tmp/count'])).stdout.trim() || '0');
    await eventually('the counter runs', async () => (await count()) > 0, 30_000, 200);

    const paused = await b(['pause', 'counter']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(paused.stdout, 'counter\n');
    assert.match((await b(['ps', '--format', '{{.Names}} {{.Status}}'])).stdout, /^counter Up .* \(Paused\)$/m);
    assert.equal((await b(['inspect', '--format', '{{.State.Status}} {{.State.Paused}} {{.State.Running}}', 'counter'])).stdout, 'paused true true\n');
    // exec cannot run in a frozen container: the counter file is read from an export
    const frozenAt = await exportedCount(b);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // ten ticks of the counter, were it running
    assert.equal(await exportedCount(b), frozenAt, 'the counter did not advance while paused');
    const again = await b(['pause', 'counter']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^container [0-9a-f]{64} is already paused\n$/);

    const unpaused = await b(['container', 'unpause', 'counter']);
    assert.equal(unpaused.code, 0, unpaused.stderr);
    assert.equal(unpaused.stdout, 'counter\n');
    await eventually('the counter goes on', async () => (await count()) > frozenAt, 30_000, 200);
    const notPaused = await b(['unpause', 'counter']);
    assert.equal(notPaused.code, 1);
    assert.match(notPaused.stderr, /^Container [0-9a-f]{64} is not paused\n$/);

    assert.equal((await b(['stop', '-t', '0', 'counter'])).code, 0);
    const stopped = await b(['pause', 'counter']);
    assert.equal(stopped.code, 1);
    assert.match(stopped.stderr, /^container [0-9a-f]{64} is not running\n$/);
  });
});

/** /tmp/count as the container's root filesystem holds it, through export (works while paused). */
async function exportedCount(b: Berth): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), 'berth-count-'));
  try {
    const file = join(directory, 'rootfs.tar');
    const exported = await b(['export', '-o', file, 'counter']);
    assert.equal(exported.code, 0, exported.stderr);
    return Number((await runProcess('tar', ['-xOf', file, 'tmp/count'])).stdout.trim());
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
