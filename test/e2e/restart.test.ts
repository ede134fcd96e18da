// Restart policies with no berth daemon: `always` through containerd's restart monitor (the
// test world's polls every second), `on-failure[:N]` through the reaper the container's logger
// starts, `stop`/`kill`/`pause` as Docker's explicit stops, and a containerd killed and
// started again. Each test removes its containers itself: a container the monitor keeps
// running would come back between the namespace cleanup's task and container removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ctr, world } from './harness.js';
import { eventually, fetchText, lines, scene, TICKER, type Berth } from './containers-kit.js';
import { restartContainerd } from '../world/world.js';

/** exits 1 a second after each start, saying hi */
const FLAKY = ['sh', '-c', 'echo hi; sleep 1; exit 1'];
/** the same, slower: both containers are seen running before containerd goes */
const SLOW_FLAKY = ['sh', '-c', 'echo hi; sleep 4; exit 1'];

async function inspect(b: Berth, name: string, template: string): Promise<string> {
  const inspected = await b(['inspect', '--format', template, name]);
  assert.equal(inspected.code, 0, inspected.stderr);
  return inspected.stdout.trim();
}

/** containerd's restart monitor label on the container, as `ctr` shows it. */
async function monitorStatus(b: Berth, namespace: string, name: string): Promise<string | undefined> {
  const info = await ctr(['containers', 'info', await inspect(b, name, '{{.Id}}')], namespace);
  assert.equal(info.code, 0, info.stderr);
  return (JSON.parse(info.stdout) as { Labels?: Record<string, string> }).Labels?.['containerd.io/restart.status'];
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
  await scene(async ({ b, img, namespace }) => {
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
      assert.equal(await monitorStatus(b, namespace, 'flaky'), 'running');

      const stop = await b(['stop', '-t', '1', 'flaky']);
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal(await monitorStatus(b, namespace, 'flaky'), undefined);
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

test('--restart always: stop at any moment of the monitor\'s pass leaves the container stopped', async () => {
  // a pass that read the labels before stop took them away starts the task once more: stop
  // must end that one too, not fail on it nor return with the container running
  await scene(async ({ b, img }) => {
    const names = ['often0', 'often1', 'often2', 'often3', 'often4', 'often5'];
    await withContainers(b, names, async () => {
      for (const name of names) {
        const run = await b(['run', '-d', '--name', name, '--network', 'none', '--restart', 'always', img, 'sh', '-c', 'sleep 0.3; exit 1']);
        assert.equal(run.code, 0, run.stderr);
      }
      await sleep(1500);
      await Promise.all(
        names.map(async (name, index) => {
          await sleep(index * 170);
          const stop = await b(['stop', '-t', '1', name]);
          assert.equal(stop.code, 0, stop.stderr);
        }),
      );
      await holds('all stopped', 1500, async () => {
        const ps = await b(['ps', '-a', '--filter', 'name=often', '--format', '{{.Names}} {{.State}}']);
        return lines(ps.stdout).sort().join(',') === names.map((name) => `${name} exited`).join(',');
      });
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

test('containerd killed with SIGKILL and started again: an always container runs again and logs on, on-failure too', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['survivor', 'retried'], async () => {
      for (const [name, policy] of [['survivor', 'always'], ['retried', 'on-failure:1']]) {
        const run = await b(['run', '-d', '--name', name, '--network', 'none', '--restart', policy, img, ...SLOW_FLAKY]);
        assert.equal(run.code, 0, run.stderr);
      }
      const pids = await eventually('both running, first runs', async () => {
        const states = await Promise.all(['survivor', 'retried'].map((name) => inspect(b, name, '{{.State.Status}} {{.RestartCount}} {{.State.Pid}}')));
        const found = states.map((state) => /^running 0 (\d+)$/.exec(state)?.[1]);
        return found.every(Boolean) ? found.map(Number) : undefined;
      }, 15_000, 50);
      const logged = await countLines(b, 'survivor', 'hi');

      // Both processes exit while containerd is down, and it stays down a while after their
      // loggers started the reapers: those wait for containerd to record the exits.
      const ids = await Promise.all(['survivor', 'retried'].map((name) => inspect(b, name, '{{.Id}}')));
      await restartContainerd(world(), async () => {
        const seen = new Set<string>();
        await Promise.all([
          eventually(`pids ${pids} gone`, async () => pids.every((pid) => !isAlive(pid)), 15_000, 100),
          eventually('both reapers started', async () => (await reapersOf(ids, seen)) === ids.length, 15_000, 20),
        ]);
        await sleep(2000);
      });

      await eventually(
        'survivor running again and logging',
        async () => (await countLines(b, 'survivor', 'hi')) >= logged + 2 && (await inspect(b, 'survivor', '{{.State.Status}}')) === 'running',
        30_000,
        200,
      );
      await eventually(
        'retried once, then exited',
        async () => (await inspect(b, 'retried', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}')) === 'exited 1 1',
        30_000,
        200,
      );
      assert.equal(await countLines(b, 'retried', 'hi'), 2);
    });
  });
});

test('containerd killed with SIGKILL and started again: an always web server on the default bridge is reachable on its published port again', async () => {
  await scene(async ({ b, img }) => {
    await withContainers(b, ['web-survivor'], async () => {
      const port = 40000 + Math.floor(Math.random() * 10000);
      const run = await b(['run', '-d', '--name', 'web-survivor', '-p', `127.0.0.1:${port}:80`, '--restart', 'always', img, 'httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await eventually('the page on the published port', () => fetchText(`http://127.0.0.1:${port}/`), 15_000), 'hello from berth fixture\n');
      const pid = Number(await inspect(b, 'web-survivor', '{{.State.Pid}}'));
      assert.ok(pid > 0);

      // The server dies while containerd is down: the monitor of the containerd that comes back
      // starts it again, in the namespace (and behind the port mapping) it had.
      await restartContainerd(world(), async () => {
        process.kill(pid, 'SIGKILL');
        await eventually(`pid ${pid} gone`, async () => !isAlive(pid), 15_000, 100);
      });
      await eventually(
        'running again with a new pid',
        async () => {
          const [status, now] = (await inspect(b, 'web-survivor', '{{.State.Status}} {{.State.Pid}}')).split(' ');
          return status === 'running' && Number(now) !== pid;
        },
        30_000,
        200,
      );
      assert.equal(await eventually('the page again', () => fetchText(`http://127.0.0.1:${port}/`), 15_000), 'hello from berth fixture\n');
    });
  });
});

/** Adds the containers that have a `berth internal reap` process running to `found`; its size. */
async function reapersOf(ids: string[], found: Set<string>): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const reap = args.indexOf('reap');
    if (reap > 0 && args[reap - 1] === 'internal' && ids.includes(args[reap + 1])) found.add(args[reap + 1]);
  }
  return found.size;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
