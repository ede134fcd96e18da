// run -it on a real pseudo-terminal (script(1)), detaching, and berth going away while the
// container keeps running and logging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Background, eventually, lines, logLineCount, onTerminal, scene, TERM_TRAP, TICKER, type Berth } from './containers-kit.js';

/**
 * The shell's prompt: busybox ash prints `/ # `, asks for the cursor position (ESC [6n) and,
 * with no answer from this terminal, draws the prompt again (ESC [J).
 */
const PROMPT = /\/ # (\r|\x1b\[\d*[nJ]|\/ # )*$/;

/**
 * A line end on the terminal: the container's terminal turns \n into \r\n; a raw mode that
 * leaves output processing on (as Node's does, unlike Docker's) adds another \r.
 */
const EOL = '\\r*\\n';
const line = (text: string) => new RegExp(`${text}${EOL}`);

async function statusOf(b: Berth, name: string): Promise<string> {
  const listed = await b(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']);
  assert.equal(listed.code, 0, listed.stderr);
  return listed.stdout.trim();
}

/** The container keeps logging: its log grows by more lines over `ms`. */
async function assertLogGrows(b: Berth, name: string, ms = 1_500): Promise<void> {
  const before = await logLineCount(b, name);
  await sleep(ms);
  const after = await logLineCount(b, name);
  assert.ok(after > before + 2, `${name}'s log went from ${before} to ${after} lines in ${ms} ms`);
}

test('-it: tty prints /dev/pts/0, the terminal’s size at start reaches stty size, the exit code becomes berth’s', async () => {
  await scene(async ({ namespace, img }) => {
    await onTerminal(
      ['-n', namespace, 'run', '-it', '--rm', img, 'sh', '-c', 'tty; stty size; exit 5'],
      async (terminal) => {
        assert.equal(await terminal.exit(), 5, terminal.shown);
        assert.match(terminal.shown, line('/dev/pts/0'));
        assert.match(terminal.shown, line('30 100'));
      },
      { cols: 100, rows: 30 },
    );
  });
});

test('-it: a resize of the terminal reaches the container (stty size)', async () => {
  await scene(async ({ namespace, img }) => {
    await onTerminal(['-n', namespace, 'run', '-it', '--rm', img, 'sh'], async (terminal) => {
      await terminal.waitFor(PROMPT);
      terminal.type('stty size\r');
      await terminal.waitFor(line('24 80'));
      await terminal.resize(123, 45);
      await sleep(300);
      terminal.type('stty size\r');
      await terminal.waitFor(line('45 123'));
      terminal.type('exit\r');
      assert.equal(await terminal.exit(), 0, terminal.shown);
    });
  });
});

test('-it: keys reach the container raw (ctrl-c interrupts the container’s command, not berth)', async () => {
  await scene(async ({ namespace, img }) => {
    await onTerminal(['-n', namespace, 'run', '-it', '--rm', img, 'sh'], async (terminal) => {
      await terminal.waitFor(PROMPT);
      terminal.type('sleep 100\r');
      await sleep(500);
      terminal.type('\x03');
      terminal.type('echo after-$((6*7))\r');
      await terminal.waitFor(/after-42/);
      terminal.type('exit 3\r');
      assert.equal(await terminal.exit(), 3, terminal.shown);
    });
  });
});

test('-it: ctrl-p ctrl-q detaches; the container keeps running and its later output reaches logs', async () => {
  await scene(async ({ namespace, b, img }) => {
    await onTerminal(['-n', namespace, 'run', '-it', '--name', 'det', img, ...TICKER], async (terminal) => {
      await terminal.waitFor(line('tick 2'));
      terminal.type('\x10\x11');
      assert.equal(await terminal.exit(), 0, terminal.shown);
    });
    assert.match(await statusOf(b, 'det'), /^Up /);
    await assertLogGrows(b, 'det');
  });
});

test('--detach-keys: another sequence detaches, and ctrl-p alone reaches the container', async () => {
  await scene(async ({ namespace, b, img }) => {
    await onTerminal(['-n', namespace, 'run', '-it', '--detach-keys', 'ctrl-a,x', '--name', 'det', img, 'sh'], async (terminal) => {
      await terminal.waitFor(PROMPT);
      terminal.type('\x10\x11');
      terminal.type('echo still-$((1+1))\r');
      await terminal.waitFor(/still-2/);
      terminal.type('\x01x');
      assert.equal(await terminal.exit(), 0, terminal.shown);
    });
    assert.match(await statusOf(b, 'det'), /^Up /);
  });
});

test('killing the attached berth (run -it) with SIGKILL stops neither the container nor its logging', async () => {
  await scene(async ({ namespace, b, img }) => {
    await onTerminal(['-n', namespace, 'run', '-it', '--name', 'orphan', img, ...TICKER], async (terminal) => {
      await terminal.waitFor(line('tick 2'));
      process.kill(terminal.pid, 'SIGKILL');
      assert.equal(await terminal.exit(), 137);
    });
    assert.match(await statusOf(b, 'orphan'), /^Up /);
    await assertLogGrows(b, 'orphan');
  });
});

test('killing a foreground berth (no terminal) with SIGKILL stops neither the container nor its logging', async () => {
  await scene(async ({ namespace, b, img }) => {
    const run = new Background(['-n', namespace, 'run', '--name', 'orphan', img, ...TICKER]);
    try {
      await run.waitFor(/tick 2\n/);
      run.kill('SIGKILL');
      assert.equal(await run.exited, 137);
    } finally {
      run.kill();
    }
    assert.match(await statusOf(b, 'orphan'), /^Up /);
    await assertLogGrows(b, 'orphan');
    // and the log has the lines berth showed before it died
    const logged = lines((await b(['logs', 'orphan'])).stdout);
    assert.deepEqual(logged.slice(0, 3), ['tick 0', 'tick 1', 'tick 2']);
  });
});

test('a foreground run --rm whose berth is killed: the container is still removed when it exits', async () => {
  await scene(async ({ namespace, b, img }) => {
    // berth deletes a foreground run's task itself; killed, the logger's reaper does it instead
    const run = new Background(['-n', namespace, 'run', '--rm', '--name', 'orphan-rm', img, 'sh', '-c', 'echo ready; sleep 1']);
    try {
      await run.waitFor(/ready\n/);
      run.kill('SIGKILL');
      assert.equal(await run.exited, 137);
    } finally {
      run.kill();
    }
    assert.match(await statusOf(b, 'orphan-rm'), /^Up /);
    await eventually('the container removed after its exit', async () => (await b(['ps', '-a', '-q', '--filter', 'name=orphan-rm'])).stdout === '');
  });
});

test('a foreground run proxies SIGTERM to the container (--sig-proxy, the default) and ends with its exit code', async () => {
  await scene(async ({ namespace, b, img }) => {
    const run = new Background(['-n', namespace, 'run', '--name', 'proxied', img, ...TERM_TRAP]);
    try {
      await run.waitFor(/ready\n/);
      run.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.stderr);
      assert.equal(run.stdout, 'ready\ngot TERM\n');
    } finally {
      run.kill();
    }
    assert.match(await statusOf(b, 'proxied'), /^Exited \(0\) /);
  });
});

test('--sig-proxy=false: SIGTERM ends berth only; the container keeps running', async () => {
  await scene(async ({ namespace, b, img }) => {
    const run = new Background(['-n', namespace, 'run', '--sig-proxy=false', '--name', 'unproxied', img, ...TICKER]);
    try {
      await run.waitFor(/tick 1\n/);
      run.kill('SIGTERM');
      await run.exited;
    } finally {
      run.kill();
    }
    await eventually('berth gone, container up', async () => /^Up /.test(await statusOf(b, 'unproxied')));
    await assertLogGrows(b, 'unproxied');
  });
});
