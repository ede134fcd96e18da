// attach, rename, top, stats and update against the private containerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Background, eventually, lines, onTerminal, scene, type Berth } from './containers-kit.js';

const TICKS_THEN_7 = ['sh', '-c', 'i=0; while [ $i -lt 60 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done; exit 7'];

async function ok(b: Berth, args: string[]): Promise<string> {
  const result = await b(args);
  assert.equal(result.code, 0, `berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function statusOf(b: Berth, name: string): Promise<string> {
  return (await ok(b, ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])).trim();
}

test('attach to a -d container shows its output from then on and ends with its exit code', async () => {
  await scene(async ({ namespace, b, img }) => {
    await ok(b, ['run', '-d', '--name', 'ticker', img, ...TICKS_THEN_7]);
    const attached = new Background(['-n', namespace, 'attach', 'ticker']);
    try {
      await attached.waitFor(/tick \d+\n/, 20_000);
      assert.equal(await attached.exited, 7, attached.stderr);
      assert.match(attached.stdout, /tick 59\n$/);
    } finally {
      attached.kill();
    }
  });
});

test('attach to a -d -i container feeds it stdin', async () => {
  await scene(async ({ namespace, b, img }) => {
    await ok(b, ['run', '-d', '-i', '--name', 'reader', img, 'sh', '-c', 'read line; echo got $line; exit 3']);
    const attached = new Background(['-n', namespace, 'attach', 'reader']);
    try {
      attached.child.stdin!.write('hello\n');
      assert.equal(await attached.exited, 3, attached.stderr);
      assert.match(attached.stdout, /^got hello\n$/);
    } finally {
      attached.kill();
    }
  });
});

test('attach on a terminal: the container’s shell answers, ctrl-p ctrl-q detaches as Docker does and the container runs on', async () => {
  await scene(async ({ namespace, b, img }) => {
    await ok(b, ['run', '-dit', '--name', 'shell', img, 'sh']);
    await onTerminal(['-n', namespace, 'attach', 'shell'], async (terminal) => {
      terminal.type('echo $((6*7))\r');
      await terminal.waitFor(/42\r*\n/);
      terminal.type('\x10\x11');
      assert.equal(await terminal.exit(), 1, terminal.shown);
      assert.match(terminal.shown, /read escape sequence/);
    });
    assert.match(await statusOf(b, 'shell'), /^Up/);
    // and again, with other keys
    await onTerminal(['-n', namespace, 'attach', '--detach-keys', 'ctrl-a,x', 'shell'], async (terminal) => {
      terminal.type('echo again\r');
      await terminal.waitFor(/again\r*\n/);
      terminal.type('\x01x');
      assert.equal(await terminal.exit(), 1, terminal.shown);
    });
    assert.match(await statusOf(b, 'shell'), /^Up/);
  });
});

test('attach to a stopped container fails as Docker does', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['create', '--name', 'idle', img, 'true']);
    const attached = await b(['attach', 'idle']);
    assert.equal(attached.code, 1);
    assert.equal(attached.stderr.trim(), 'You cannot attach to a stopped container, start it first');
  });
});

test('rename: ps and inspect show the new name, the old one is free, a taken name is refused', async () => {
  await scene(async ({ b, img }) => {
    const id = (await ok(b, ['run', '-d', '--name', 'before', img, 'sleep', '300'])).trim();
    assert.equal(await ok(b, ['rename', 'before', 'after']), '');
    assert.equal((await ok(b, ['ps', '--format', '{{.Names}}'])).trim(), 'after');
    assert.equal((await ok(b, ['inspect', '--format', '{{.Name}} {{.Id}}', 'after'])).trim(), `/after ${id}`);
    const missing = await b(['inspect', 'before']);
    assert.equal(missing.code, 1);
    await ok(b, ['create', '--name', 'before', img, 'true']);

    const taken = await b(['rename', 'after', 'before']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^Error when allocating new name: Conflict\. The container name "\/before" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\n$/);
    assert.equal((await ok(b, ['inspect', '--format', '{{.Name}}', id])).trim(), '/after');
    const same = await b(['rename', 'after', 'after']);
    assert.equal(same.code, 1);
    assert.match(same.stderr, /Renaming a container with the same name as its current name/);
  });
});

test('top lists the container’s processes with ps’s columns, takes ps options, and refuses a stopped container', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'sleeper', img, 'sleep', '4321']);
    const table = lines(await ok(b, ['top', 'sleeper']));
    assert.deepEqual(table[0].split(/\s+/), ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.equal(table.length, 2, table.join('\n'));
    assert.match(table[1], /^root\s+\d+\s+\d+\s.*sleep 4321$/);
    const custom = lines(await ok(b, ['top', 'sleeper', '-o', 'pid,comm']));
    assert.deepEqual(custom[0].split(/\s+/), ['PID', 'COMMAND']);
    assert.match(custom[1], /^\d+\s+sleep$/);

    const id = (await ok(b, ['create', '--name', 'resting', img, 'true'])).trim();
    const stopped = await b(['top', 'resting']);
    assert.equal(stopped.code, 1);
    assert.equal(stopped.stderr.trim(), `container ${id} is not running`);
  });
});

test('stats --no-stream shows the running container with its memory; {{json .}} has Docker’s fields', async () => {
  await scene(async ({ b, img }) => {
    const id = (await ok(b, ['run', '-d', '--name', 'busy', img, 'sleep', '300'])).trim();
    await ok(b, ['create', '--name', 'resting', img, 'true']);
    const table = lines(await ok(b, ['stats', '--no-stream']));
    assert.match(table[0], /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    assert.equal(table.length, 2, table.join('\n'));
    assert.match(table[1], new RegExp(`^${id.slice(0, 12)}\\s+busy\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[KMG]?i?B / [\\d.]+[KMG]iB\\s+\\d+\\.\\d\\d%\\s+0B / 0B\\s+\\S+ / \\S+\\s+1$`));

    const json = JSON.parse((await ok(b, ['stats', '--no-stream', '--format', '{{json .}}', 'busy'])).trim()) as Record<string, string>;
    assert.deepEqual(Object.keys(json).sort(), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    assert.equal(json.Container, 'busy');
    assert.equal(json.Name, 'busy');
    assert.equal(json.ID, id.slice(0, 12));
    assert.equal(json.PIDs, '1');
    assert.match(json.MemUsage, /^[\d.]+[KMG]iB \/ /, 'a nonzero memory usage');

    const all = lines(await ok(b, ['stats', '-a', '--no-stream', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.MemUsage}}']));
    assert.equal(all.length, 2);
    assert.ok(all.some((row) => row.startsWith(`${id} busy `)), all.join('\n'));
    assert.ok(all.some((row) => / resting 0B \/ 0B$/.test(row)), all.join('\n'));
  });
});

test('update --memory --pids-limit reaches a running container’s cgroup and inspect, and survives restart', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'limited', '-m', '64m', img, 'sleep', '300']);
    assert.equal(await ok(b, ['update', '--memory', '32m', '--pids-limit', '20', 'limited']), 'limited\n');
    const cgroup = async () =>
      (await ok(b, ['exec', 'limited', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max'])).trim().split('\n');
    assert.deepEqual(await cgroup(), ['33554432', '20']);
    const inspected = async () => (await ok(b, ['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}', 'limited'])).trim();
    assert.equal(await inspected(), '33554432 20');

    await ok(b, ['restart', '-t', '1', 'limited']);
    await eventually('limited running again', async () => /^Up/.test(await statusOf(b, 'limited')));
    assert.deepEqual(await cgroup(), ['33554432', '20']);
    assert.equal(await inspected(), '33554432 20');

    // a stopped container keeps the update for its next start
    await ok(b, ['stop', '-t', '1', 'limited']);
    await ok(b, ['update', '--pids-limit', '30', '--restart', 'on-failure:2', 'limited']);
    assert.equal((await ok(b, ['inspect', '--format', '{{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'limited'])).trim(), '30 on-failure:2');
    await ok(b, ['start', 'limited']);
    assert.deepEqual(await cgroup(), ['33554432', '30']);
  });
});

test('update refuses what Docker refuses: no flags, a memory limit above the swap limit in force', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'plain', img, 'sleep', '300']);
    const none = await b(['update', 'plain']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /you must provide one or more flags when using this command/);
    const memory = await b(['update', '-m', '32m', 'plain']);
    assert.equal(memory.code, 1);
    assert.match(memory.stderr, /^Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n$/);
  });
});
