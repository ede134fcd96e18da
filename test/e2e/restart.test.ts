// Restart policies with no berth daemon: `always` through containerd's restart monitor (the
// test world's polls every second), `on-failure[:N]` through the reaper the container's logger
// starts, `stop`/`kill`/`pause` as Docker's explicit stops, and a containerd killed and
// started again. Each test removes its containers itself: a container the monitor keeps
// running would come back between the namespace cleanup's task and container removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { world } from './harness.js';
import { eventually, lines, scene, TICKER, type Berth } from './containers-kit.js';
import { restartContainerd } from '../world/world.js';

/** exits 1 a second after each start, saying hi */
const FLAKY = ['sh', '-c', 'echo hi; sleep 1; exit 1'];

async function inspect(b: Berth, name: string, template: string): Promise<string> {
  const inspected = await b(['inspect', '--format', template, name]);
  assert.equal(inspected.code, 0, inspected.stderr);
  return inspected.stdout.trim();
}

async function countLines(b: Berth, name: string, text: string): Promise<number> {
  const logs = await b(['logs', name]);
  assert.equal(logs.code, 0, logs.stderr);
  return lines(logs.stdout).filter((line) => line === text).length;
}

/** Holds for `ms`, checked every 200 ms: what a stopped container must keep showing. */
async function holds(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    assert.ok(await check(), `${what} no longer held`);
    await sleep(200);
  }
}

async function withContainers(b: Berth, names: string[], work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } finally {
    await b(['rm', '-f', ...names]);
  }
}

test('--restart always: the exited process runs again, logging on; after stop it stays stopped', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['flaky'], async () => {
      const run = await b(['run', '-d', '--name', 'flaky', '--network', 'none', '--restart', 'always', img, ...FLAKY]);
      assert.equal(run.code, 0, run.stderr);
      await eventually('three runs of the container in its log', async () => (await countLines(b, 'flaky', 'hi')) >= 3, 30_000, 200);
      await eventually(
        'running again with a restart counted',
        async () => /^running [1-9]\d*$/.test(await inspect(b, 'flaky', '{{.State.Status}} {{.RestartCount}}')),
        15_000,
        100,
      );
      assert.equal(await inspect(b, 'flaky', '{{.HostConfig.RestartPolicy.Name}}'), 'always');
      // the monitor's labels are berth's business, not the user's
      assert.equal(await inspect(b, 'flaky', '{{json .Config.Labels}}'), '{}');

      const stop = await b(['stop', '-t', '1', 'flaky']);
      assert.equal(stop.code, 0, stop.stderr);
      const logged = await countLines(b, 'flaky', 'hi');
      await holds('stopped, nothing more logged', 3500, async () => {
        const status = await inspect(b, 'flaky', '{{.State.Status}}');
        return status === 'exited' && (await countLines(b, 'flaky', 'hi')) === logged;
      });

      // start undoes the stop: the policy is back, counting from 0 as Docker does
      const start = await b(['start', 'flaky']);
      assert.equal(start.code, 0, start.stderr);
      await eventually('restarted after start', async () => (await countLines(b, 'flaky', 'hi')) >= logged + 2, 30_000, 200);
    });
  });
});

test('--restart on-failure:2: two restarts, then Exited (1) with RestartCount 2', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['twice'], async () => {
      const run = await b(['run', '-d', '--name', 'twice', '--network', 'none', '--restart', 'on-failure:2', img, 'sh', '-c', 'echo try; exit 1']);
      assert.equal(run.code, 0, run.stderr);
      await eventually(
        'exited for good after two restarts',
        async () => (await inspect(b, 'twice', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}')) === 'exited 2 1',
        30_000,
        100,
      );
      await holds('no third restart', 2000, async () => (await inspect(b, 'twice', '{{.State.Status}} {{.RestartCount}}')) === 'exited 2');
      assert.equal(await countLines(b, 'twice', 'try'), 3);
      const ps = await b(['ps', '-a', '--filter', 'name=twice', '--format', '{{.Status}}']);
      assert.match(ps.stdout, /^Exited \(1\) /);
    });
  });
});

test('--restart on-failure: a process exiting 0 is not restarted', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['fine'], async () => {
      const run = await b(['run', '-d', '--name', 'fine', '--network', 'none', '--restart', 'on-failure', img, 'sh', '-c', 'echo once; exit 0']);
      assert.equal(run.code, 0, run.stderr);
      await eventually('exited', async () => (await inspect(b, 'fine', '{{.State.Status}}')) === 'exited', 15_000);
      await holds('not restarted', 2000, async () => (await inspect(b, 'fine', '{{.State.Status}} {{.RestartCount}}')) === 'exited 0');
      assert.equal(await countLines(b, 'fine', 'once'), 1);
    });
  });
});

test('--restart always: kill is an explicit stop; a paused container is left paused by the monitor', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['killed', 'frozen'], async () => {
      for (const name of ['killed', 'frozen']) {
        const run = await b(['run', '-d', '--name', name, '--network', 'none', '--restart', 'always', img, ...TICKER]);
        assert.equal(run.code, 0, run.stderr);
      }
      const kill = await b(['kill', 'killed']);
      assert.equal(kill.code, 0, kill.stderr);
      await eventually('killed', async () => (await inspect(b, 'killed', '{{.State.Status}}')) === 'exited', 15_000, 100);
      const pause = await b(['pause', 'frozen']);
      assert.equal(pause.code, 0, pause.stderr);
      const ticks = async () => (await b(['logs', 'frozen'])).stdout.split('\n').filter((line) => line.startsWith('tick')).length;
      const frozenTicks = await ticks();
      await holds('killed stays exited, frozen stays paused', 3000, async () => {
        const killed = await inspect(b, 'killed', '{{.State.Status}} {{.RestartCount}}');
        const frozen = await inspect(b, 'frozen', '{{.State.Status}}');
        return killed === 'exited 0' && frozen === 'paused' && (await ticks()) === frozenTicks;
      });
      const unpause = await b(['unpause', 'frozen']);
      assert.equal(unpause.code, 0, unpause.stderr);
      await eventually('ticking on after unpause', async () => (await ticks()) > frozenTicks + 2, 15_000, 200);
      assert.equal(await inspect(b, 'frozen', '{{.State.Status}} {{.RestartCount}}'), 'running 0');
    });
  });
});

test('containerd killed with SIGKILL and started again: an always container runs again and logs on', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['survivor'], async () => {
      const run = await b(['run', '-d', '--name', 'survivor', '--network', 'none', '--restart', 'always', img, ...FLAKY]);
      assert.equal(run.code, 0, run.stderr);
      await eventually('running', async () => (await inspect(b, 'survivor', '{{.State.Status}}')) === 'running', 15_000, 50);
      const pid = Number(await inspect(b, 'survivor', '{{.State.Pid}}'));
      assert.ok(pid > 0);

      await restartContainerd(world());
      // the process that ran when containerd died has exited meanwhile or exits now, unseen by containerd
      await eventually(`pid ${pid} gone`, async () => !isAlive(pid), 15_000, 100);
      const logged = await countLines(b, 'survivor', 'hi');
      await eventually(
        'running again and logging',
        async () => (await countLines(b, 'survivor', 'hi')) >= logged + 2 && (await inspect(b, 'survivor', '{{.State.Status}}')) === 'running',
        30_000,
        200,
      );
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
