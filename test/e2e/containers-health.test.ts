// Health checks without a daemon: the container's logger runs the probes while it runs; `ps`
// shows Docker's `(health: starting)`, `(healthy)`, `(unhealthy)`, `inspect` shows
// State.Health with its log, and the probes end with the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../world/world.js';
import { eventually, lines, scene, type Berth } from './containers-kit.js';

// Probes take a berth start each (about a second on a busy machine): verdicts are polled generously.
const VERDICT_MS = 60_000;

async function status(b: Berth, name: string): Promise<string> {
  const listed = await b(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']);
  assert.equal(listed.code, 0, listed.stderr);
  return listed.stdout.trim();
}

async function health(b: Berth, name: string): Promise<{ Status: string; FailingStreak: number; Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }> } | null> {
  const inspected = await b(['inspect', '--format', '{{json .State.Health}}', name]);
  assert.equal(inspected.code, 0, inspected.stderr);
  return JSON.parse(inspected.stdout);
}

async function run(b: Berth, args: string[]): Promise<string> {
  const started = await b(['run', '-d', ...args]);
  assert.equal(started.code, 0, started.stderr);
  return started.stdout.trim();
}

async function waitForStatus(b: Berth, name: string, pattern: RegExp): Promise<string> {
  let last = '';
  return eventually(() => `${name}'s STATUS to match ${pattern}, last: ${last}`, async () => pattern.test((last = await status(b, name))) && last, VERDICT_MS, 250);
}

/** Processes whose command line names this container's health check (the probe loop, a probe). */
async function probeProcesses(id: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('healthcheck') && command.includes(id)) found.push(`${pid}: ${command.replaceAll('\0', ' ')}`);
  }
  return found;
}

test('a failing check turns the container unhealthy after its retries; a timeout counts as a failure', async () => {
  await scene(async ({ b, img }) => {
    await run(b, ['--name', 'failing', '--health-cmd', 'echo down; exit 1', '--health-interval', '1s', '--health-retries', '2', img, 'sleep', '300']);
    await run(b, ['--name', 'slow', '--health-cmd', 'sleep 20', '--health-timeout', '1s', '--health-interval', '1s', '--health-retries', '1', img, 'sleep', '300']);
    assert.match(await waitForStatus(b, 'failing', /\(unhealthy\)$/), /^Up .* \(unhealthy\)$/);
    const failing = await health(b, 'failing');
    assert.equal(failing?.Status, 'unhealthy');
    assert.ok(failing!.FailingStreak >= 2, `FailingStreak ${failing!.FailingStreak}`);
    assert.ok(failing!.Log.length >= 2 && failing!.Log.length <= 5);
    for (const entry of failing!.Log) {
      assert.deepEqual([entry.ExitCode, entry.Output], [1, 'down\n']);
      assert.ok(Date.parse(entry.Start) <= Date.parse(entry.End), `${entry.Start} .. ${entry.End}`);
    }
    const config = await b(['inspect', '--format', '{{json .Config.Healthcheck}}', 'failing']);
    assert.deepEqual(JSON.parse(config.stdout), { Test: ['CMD-SHELL', 'echo down; exit 1'], Interval: 1_000_000_000, Retries: 2 });

    await waitForStatus(b, 'slow', /\(unhealthy\)$/);
    const slow = await health(b, 'slow');
    assert.deepEqual([slow!.Log[0].ExitCode, slow!.Log[0].Output], [-1, 'Health check exceeded timeout (1s)']);

    const unhealthy = await b(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']);
    assert.deepEqual(lines(unhealthy.stdout).sort(), ['failing', 'slow']);
  });
});

test('a passing check turns the container healthy; health filters pick it', async () => {
  await scene(async ({ b, img }) => {
    await run(b, ['--name', 'fine', '--health-cmd', 'echo fine', '--health-interval', '1s', img, 'sleep', '300']);
    await run(b, ['--name', 'plain', img, 'sleep', '300']);
    assert.match(await waitForStatus(b, 'fine', /\(healthy\)$/), /^Up .* \(healthy\)$/);
    const fine = await health(b, 'fine');
    assert.deepEqual([fine?.Status, fine?.FailingStreak], ['healthy', 0]);
    assert.deepEqual([fine!.Log.at(-1)!.ExitCode, fine!.Log.at(-1)!.Output], [0, 'fine\n']);
    assert.match(await status(b, 'plain'), /^Up [^(]*$/);
    assert.equal(await health(b, 'plain'), null);
    const pick = async (filter: string) => lines((await b(['ps', '--filter', `health=${filter}`, '--format', '{{.Names}}'])).stdout);
    assert.deepEqual(await pick('healthy'), ['fine']);
    assert.deepEqual(await pick('none'), ['plain']);
    assert.deepEqual(await pick('starting'), []);
  });
});

test('within a long start period failures do not count: (health: starting) with results logged', async () => {
  await scene(async ({ b, img }) => {
    await run(b, ['--name', 'warming', '--health-cmd', 'exit 1', '--health-start-period', '10m', '--health-start-interval', '1s', '--health-interval', '1h', img, 'sleep', '300']);
    assert.match(await status(b, 'warming'), /^Up .* \(health: starting\)$/);
    const logged = await eventually('two probes logged', async () => {
      const state = await health(b, 'warming');
      return state && state.Log.length >= 2 && state;
    }, VERDICT_MS, 250);
    assert.deepEqual([logged!.Status, logged!.FailingStreak, logged!.Log[0].ExitCode], ['starting', 0, 1]);
    assert.match(await status(b, 'warming'), /\(health: starting\)$/);
    assert.deepEqual(lines((await b(['ps', '--filter', 'health=starting', '--format', '{{.Names}}'])).stdout), ['warming']);
  });
});

test("an image's HEALTHCHECK (import --change) runs; --no-healthcheck turns it off", async () => {
  await scene(async ({ b, namespace }) => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-health-'));
    try {
      const rootfs = join(dir, 'rootfs');
      await mkdir(join(rootfs, 'bin'), { recursive: true });
      await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
      for (const applet of ['sh', 'sleep', 'true']) await symlink('busybox', join(rootfs, 'bin', applet));
      const tarFile = join(dir, 'rootfs.tar');
      assert.equal((await runProcess('tar', ['-C', rootfs, '-cf', tarFile, '.'])).code, 0);
      const image = `local/checked-${namespace}`;
      const imported = await b(['import', '-c', 'CMD ["sleep","300"]', '-c', 'HEALTHCHECK --interval=1s --retries=2 CMD ["true"]', tarFile, image]);
      assert.equal(imported.code, 0, imported.stderr);
      const imageCheck = await b(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', image]);
      assert.deepEqual(JSON.parse(imageCheck.stdout), { Test: ['CMD', 'true'], Interval: 1_000_000_000, Retries: 2 });

      await run(b, ['--name', 'inherits', image]);
      await run(b, ['--name', 'unchecked', '--no-healthcheck', image]);
      await run(b, ['--name', 'tuned', '--health-retries', '7', image]);
      await waitForStatus(b, 'inherits', /\(healthy\)$/);
      const tuned = await b(['inspect', '--format', '{{json .Config.Healthcheck}}', 'tuned']);
      assert.deepEqual(JSON.parse(tuned.stdout), { Test: ['CMD', 'true'], Interval: 1_000_000_000, Retries: 7 });

      assert.match(await status(b, 'unchecked'), /^Up [^(]*$/);
      assert.equal(await health(b, 'unchecked'), null);
      const config = await b(['inspect', '--format', '{{json .Config.Healthcheck}}', 'unchecked']);
      assert.deepEqual(JSON.parse(config.stdout).Test, ['NONE']);
      const id = (await b(['inspect', '--format', '{{.Id}}', 'unchecked'])).stdout.trim();
      assert.deepEqual(await probeProcesses(id), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('the checks stop with the container, leave it unhealthy, and start over with it', async () => {
  await scene(async ({ b, img }) => {
    const id = await run(b, ['--name', 'short', '--health-cmd', 'echo up', '--health-interval', '1s', img, 'sleep', '300']);
    await waitForStatus(b, 'short', /\(healthy\)$/);
    assert.ok((await probeProcesses(id)).length > 0, 'a probe loop runs beside the container');
    const stopped = await b(['stop', '-t', '1', 'short']);
    assert.equal(stopped.code, 0, stopped.stderr);
    let left: string[] = [];
    await eventually(() => `no probes left: ${left.join('\n')}`, async () => (left = await probeProcesses(id)).length === 0, 15_000);
    assert.match(await status(b, 'short'), /^Exited /);
    const after = await health(b, 'short');
    assert.equal(after?.Status, 'unhealthy');
    const logged = after!.Log.length;
    // nothing probes a stopped container: an absence, so it is watched for a while, not polled
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal((await health(b, 'short'))!.Log.length, logged);

    const started = await b(['start', 'short']);
    assert.equal(started.code, 0, started.stderr);
    const restarted = await health(b, 'short');
    assert.deepEqual([restarted?.Status, restarted?.FailingStreak, restarted?.Log.length], ['starting', 0, logged]);
    await waitForStatus(b, 'short', /\(healthy\)$/);

    // killed rather than stopped: the probes end too
    assert.equal((await b(['kill', 'short'])).code, 0);
    await eventually(() => `no probes left after kill: ${left.join('\n')}`, async () => (left = await probeProcesses(id)).length === 0, 15_000);
  });
});

test('bad health flags are refused before anything is created', async () => {
  await scene(async ({ b, img }) => {
    const conflict = await b(['run', '-d', '--no-healthcheck', '--health-cmd', 'true', img]);
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, /--no-healthcheck conflicts with --health-\* options/);
    const badDuration = await b(['run', '-d', '--health-interval', '5', img]);
    assert.equal(badDuration.code, 125);
    assert.match(badDuration.stderr, /invalid argument "5" for "--health-interval" flag: time: missing unit in duration "5"/);
    assert.deepEqual(lines((await b(['ps', '-a', '-q'])).stdout), []);
  });
});
