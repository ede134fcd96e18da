// run and the everyday container lifecycle, as a Docker user sees it: output, exit codes,
// ps/inspect/logs, and what is left behind. Each test has a namespace of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ctr, world } from './harness.js';
import { activeSnapshots, containerDirectories, eventually, lines, scene, TERM_TRAP, type Berth } from './containers-kit.js';

const ID = /^[0-9a-f]{64}\n$/;

/** `ps -a` rows as `NAME STATUS`, through --format. */
async function statuses(b: Berth): Promise<string[]> {
  const listed = await b(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
  assert.equal(listed.code, 0, listed.stderr);
  return lines(listed.stdout);
}

async function state(b: Berth, name: string, field = '.State.Status'): Promise<string> {
  const inspected = await b(['inspect', '--format', `{{${field}}}`, name]);
  assert.equal(inspected.code, 0, inspected.stderr);
  return inspected.stdout.trim();
}

test('run --rm IMG echo hello prints hello, exit 0, nothing on stderr', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', img, 'echo', 'hello']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello\n');
    assert.equal(run.stderr, '');
  });
});

test('run of an image not yet pulled pulls it first (progress on stderr), like docker run', async () => {
  await scene(async ({ b }) => {
    const { multi } = world().fixtures;
    const run = await b(['run', '--rm', multi.ref]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'entry from-cmd\n');
    assert.match(run.stderr, /Unable to find image '.*fixtures\/multi:latest' locally/);
  });
});

test('exit codes: the container’s own (3), 127 not found, 126 not executable, 125 unknown flag and unknown image', async () => {
  await scene(async ({ b, img }) => {
    const three = await b(['run', '--rm', img, 'sh', '-c', 'exit 3']);
    assert.equal(three.code, 3, three.stderr);

    const notFound = await b(['run', '--rm', img, 'no-such-command']);
    assert.equal(notFound.code, 127, notFound.stderr);
    assert.match(notFound.stderr, /no-such-command/);
    assert.match(notFound.stderr, /not found/);

    const notExecutable = await b(['run', '--rm', img, '/etc/passwd']);
    assert.equal(notExecutable.code, 126, notExecutable.stderr);
    assert.match(notExecutable.stderr, /permission denied/i);

    const badFlag = await b(['run', '--rm', '--no-such-flag', img, 'true']);
    assert.equal(badFlag.code, 125);
    assert.match(badFlag.stderr, /unknown flag: --no-such-flag/);

    const missing = `${world().registry.host}/fixtures/no-such-image`;
    const unknown = await b(['run', '--rm', missing, 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /no-such-image/);
    assert.equal(unknown.stdout, '');

    // a failed start leaves no container behind
    assert.deepEqual(await statuses(b), []);
  });
});

test('a flag of docker run that berth does not support fails clearly, naming it', async () => {
  await scene(async ({ b, img }) => {
    // IPv6 networking is not in berth yet; it must not be accepted and ignored.
    const refused = await b(['run', '--rm', '--ip6', '2001:db8::33', img, 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /--ip6 is not supported yet/);
  });
});

test('-e, --env-file and the image’s Env; -e NAME takes the value from berth’s environment', async () => {
  await scene(async ({ b, img }) => {
    const dir = await mkdtemp(join(world().tmp, 'envfile-'));
    const envFile = join(dir, 'env.list');
    await writeFile(envFile, '# a comment\n\nFILE_A=one\nFILE_B=two words\nFROM_HOST\n');
    const run = await b(
      ['run', '--rm', '-e', 'FOO=bar', '-e', 'BAZ', '--env-file', envFile, img, 'sh', '-c', 'echo "$FOO|$BAZ|$FILE_A|$FILE_B|$FROM_HOST|$PATH"'],
      { env: { BAZ: 'baz-from-host', FROM_HOST: 'file-from-host' } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'bar|baz-from-host|one|two words|file-from-host|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');

    const unset = await b(['run', '--rm', '-e', 'NOT_SET_ANYWHERE', img, 'sh', '-c', 'echo "${NOT_SET_ANYWHERE-unset}"'], { env: { NOT_SET_ANYWHERE: undefined } });
    assert.equal(unset.stdout, 'unset\n');

    const missingFile = await b(['run', '--rm', '--env-file', join(dir, 'nope'), img, 'true']);
    assert.equal(missingFile.code, 125);
    assert.match(missingFile.stderr, /nope/);
  });
});

test('-w sets the working directory, creating it when missing; the image’s WorkingDir otherwise', async () => {
  await scene(
    async ({ b, img }) => {
      assert.equal((await b(['run', '--rm', '-w', '/tmp', img, 'pwd'])).stdout, '/tmp\n');
      const created = await b(['run', '--rm', '-w', '/made/by/run', img, 'pwd']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout, '/made/by/run\n');
      const relative = await b(['run', '--rm', '-w', 'tmp', img, 'pwd']);
      assert.equal(relative.code, 125);
      assert.match(relative.stderr, /absolute/);
      assert.equal((await b(['run', '--rm', '--entrypoint', 'pwd', world().fixtures.multi.ref])).stdout, '/data\n');
    },
    { multi: true },
  );
});

test('-u app: uid, gid and supplementary groups from the image’s /etc/passwd and /etc/group', async () => {
  await scene(async ({ b, img }) => {
    const app = await b(['run', '--rm', '-u', 'app', img, 'id']);
    assert.equal(app.code, 0, app.stderr);
    const match = /^uid=1000\(app\) gid=1000\(app\) groups=(.*)\n$/.exec(app.stdout);
    assert.ok(match, app.stdout);
    const groups = match[1].split(',');
    for (const group of ['50(staff)', '63(audio)', '2000(extra)']) assert.ok(groups.includes(group), app.stdout);
    assert.ok(!groups.includes('0(root)'), app.stdout);

    const withGroup = await b(['run', '--rm', '-u', 'app:audio', img, 'id', '-g']);
    assert.equal(withGroup.stdout, '63\n');
    const numeric = await b(['run', '--rm', '-u', '4242:4343', img, 'sh', '-c', 'id -u; id -g']);
    assert.equal(numeric.stdout, '4242\n4343\n');
    const added = await b(['run', '--rm', '-u', 'nobody', '--group-add', 'audio', '--group-add', '777', img, 'id', '-G']);
    assert.equal(added.code, 0, added.stderr);
    const gids = added.stdout.trim().split(' ');
    assert.ok(gids.includes('63') && gids.includes('777'), added.stdout);
    const unknown = await b(['run', '--rm', '-u', 'nosuchuser', img, 'true']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /nosuchuser/);
  });
});

test('Entrypoint/Cmd merging on the multi-layer fixture (Entrypoint [echo entry], Cmd [from-cmd]), --entrypoint, args untouched', async () => {
  await scene(
    async ({ b, img }) => {
      const multi = world().fixtures.multi.ref;
      const out = async (...args: string[]) => {
        const run = await b(['run', '--rm', ...args]);
        assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
        return run.stdout;
      };
      assert.equal(await out(multi), 'entry from-cmd\n');
      assert.equal(await out(multi, 'one', 'two'), 'entry one two\n');
      // a user entrypoint drops the image's Cmd
      assert.equal(await out('--entrypoint', 'echo', multi), '\n');
      assert.equal(await out('--entrypoint', 'echo', multi, 'x'), 'x\n');
      assert.equal(await out('--entrypoint', '', multi, 'echo', 'plain'), 'plain\n');
      const nothing = await b(['run', '--rm', '--entrypoint', '', multi]);
      assert.equal(nothing.code, 125);
      assert.match(nothing.stderr, /no command specified/);
      // everything after the image is the container's, flags included
      assert.equal(await out(img, 'echo', '-c', '--help'), '-c --help\n');
      assert.equal(await out(img, 'echo', '--rm', '-d', '--name', 'x'), '--rm -d --name x\n');
      // a flag value that is also the command's name is still the flag's
      assert.equal(await out('--name', 'echo', img, 'echo', 'named'), 'named\n');
      // image Env, overridden by -e
      assert.equal(await out('--entrypoint', 'sh', multi, '-c', 'echo $FIXTURE'), 'multi\n');
      assert.equal(await out('-e', 'FIXTURE=mine', '--entrypoint', 'sh', multi, '-c', 'echo $FIXTURE'), 'mine\n');
    },
    { multi: true },
  );
});

test('-i passes stdin to the container; without -i the container’s stdin is empty', async () => {
  await scene(async ({ b, img }) => {
    const piped = await b(['run', '--rm', '-i', img, 'cat'], { input: 'through stdin\n', timeoutMs: 20_000 });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, 'through stdin\n');
    const closed = await b(['run', '--rm', img, 'cat'], { input: 'ignored\n', timeoutMs: 20_000 });
    assert.equal(closed.code, 0, closed.stderr);
    assert.equal(closed.stdout, '');
  });
});

test('stdout and stderr stay apart, in the foreground and in logs', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--name', 'split', img, 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'out\n');
    assert.equal(run.stderr, 'err\n');
    const logs = await b(['logs', 'split']);
    assert.equal(logs.stdout, 'out\n');
    assert.equal(logs.stderr, 'err\n');
  });
});

test('run -d → ps (name, Up) → logs → exec → inspect running → stop -t 5 runs the TERM trap → ps -a Exited (0) → rm', async () => {
  await scene(async ({ b, img }) => {
    const started = await b(['run', '-d', '--name', 'web', img, ...TERM_TRAP]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, ID);
    const id = started.stdout.trim();

    const ps = await b(['ps']);
    assert.equal(ps.code, 0, ps.stderr);
    const [header, ...rows] = lines(ps.stdout);
    assert.match(header, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    assert.equal(rows.length, 1, ps.stdout);
    assert.ok(rows[0].startsWith(id.slice(0, 12)), rows[0]);
    assert.match(rows[0], / Up (Less than a second|\d+ seconds?) +web$/);

    await eventually('the trap to be set', async () => (await b(['logs', 'web'])).stdout.includes('ready'));
    const exec = await b(['exec', 'web', 'echo', 'from exec']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, 'from exec\n');
    assert.equal(await state(b, 'web'), 'running');

    const began = Date.now();
    const stopped = await b(['stop', '-t', '5', 'web']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, 'web\n');
    assert.ok(Date.now() - began < 5_000, 'the trap exits at once: no wait for the timeout');
    const logs = await b(['logs', 'web']);
    assert.equal(logs.stdout, 'ready\ngot TERM\n');
    assert.match((await statuses(b))[0], /^web Exited \(0\) (Less than a second|\d+ seconds?) ago$/);
    assert.equal(await state(b, 'web'), 'exited');
    assert.equal(await state(b, 'web', '.State.ExitCode'), '0');
    assert.equal((await b(['ps', '-q'])).stdout, '', 'ps without -a lists running containers only');

    const removed = await b(['rm', 'web']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'web\n');
    assert.deepEqual(await statuses(b), []);
    const gone = await b(['inspect', 'web']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such (object|container): web/);
  });
});

test('stop: SIGKILL after the timeout when the process ignores SIGTERM → Exited (137)', async () => {
  await scene(async ({ b, img }) => {
    // PID 1 without a handler ignores SIGTERM.
    assert.equal((await b(['run', '-d', '--name', 'stubborn', img, 'sleep', '1000'])).code, 0);
    const began = Date.now();
    const stopped = await b(['stop', '-t', '1', 'stubborn']);
    const took = Date.now() - began;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(took >= 1_000 && took < 6_000, `stop -t 1 took ${took} ms`);
    assert.match((await statuses(b))[0], /^stubborn Exited \(137\) /);
  });
});

test('stop sends the image’s StopSignal, or --stop-signal; stop -s overrides both', async () => {
  await scene(
    async ({ b, img }) => {
      const trap = (signal: string) => ['-c', `trap "echo got ${signal}; exit 0" ${signal}; echo ready; while true; do sleep 0.1; done`];
      const ready = (name: string) => eventually(`${name} ready`, async () => (await b(['logs', name])).stdout.includes('ready'));
      // the multi fixture's StopSignal is SIGUSR1
      assert.equal((await b(['run', '-d', '--name', 'usr1', '--entrypoint', 'sh', world().fixtures.multi.ref, ...trap('USR1')])).code, 0);
      assert.equal((await b(['run', '-d', '--name', 'usr2', '--stop-signal', 'SIGUSR2', img, 'sh', ...trap('USR2')])).code, 0);
      assert.equal((await b(['run', '-d', '--name', 'hup', img, 'sh', ...trap('HUP')])).code, 0);
      await Promise.all(['usr1', 'usr2', 'hup'].map(ready));
      assert.equal((await b(['stop', '-t', '5', 'usr1', 'usr2'])).stdout, 'usr1\nusr2\n');
      assert.equal((await b(['stop', '-t', '5', '-s', 'HUP', 'hup'])).stdout, 'hup\n');
      assert.equal((await b(['logs', 'usr1'])).stdout, 'ready\ngot USR1\n');
      assert.equal((await b(['logs', 'usr2'])).stdout, 'ready\ngot USR2\n');
      assert.equal((await b(['logs', 'hup'])).stdout, 'ready\ngot HUP\n');
      for (const row of await statuses(b)) assert.match(row, / Exited \(0\) /);
    },
    { multi: true },
  );
});

test('kill -s delivers the signal; kill defaults to SIGKILL (exit 137)', async () => {
  await scene(async ({ b, img }) => {
    const script = 'trap "echo got USR1" USR1; echo ready; while true; do sleep 0.1; done';
    assert.equal((await b(['run', '-d', '--name', 'killme', img, 'sh', '-c', script])).code, 0);
    await eventually('ready', async () => (await b(['logs', 'killme'])).stdout.includes('ready'));
    const usr1 = await b(['kill', '-s', 'USR1', 'killme']);
    assert.equal(usr1.code, 0, usr1.stderr);
    assert.equal(usr1.stdout, 'killme\n');
    await eventually('the trap to run', async () => (await b(['logs', 'killme'])).stdout.includes('got USR1'));
    assert.equal(await state(b, 'killme'), 'running');
    const killed = await b(['kill', 'killme']);
    assert.equal(killed.stdout, 'killme\n');
    await eventually('killme to exit', async () => (await state(b, 'killme')) === 'exited');
    assert.equal(await state(b, 'killme', '.State.ExitCode'), '137');
    const notRunning = await b(['kill', 'killme']);
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /is not running/);
  });
});

test('restart: stops and starts again; the command runs twice, StartedAt moves', async () => {
  await scene(async ({ b, img }) => {
    const script = 'echo started; trap "exit 0" TERM; while true; do sleep 0.1; done';
    assert.equal((await b(['run', '-d', '--name', 'again', img, 'sh', '-c', script])).code, 0);
    await eventually('first start logged', async () => (await b(['logs', 'again'])).stdout === 'started\n');
    const firstStart = await state(b, 'again', '.State.StartedAt');
    const restarted = await b(['restart', '-t', '5', 'again']);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.equal(restarted.stdout, 'again\n');
    assert.equal(await state(b, 'again'), 'running');
    await eventually('second start logged', async () => (await b(['logs', 'again'])).stdout === 'started\nstarted\n');
    assert.notEqual(await state(b, 'again', '.State.StartedAt'), firstStart);
    // an exited container restarts too
    assert.equal((await b(['run', '--name', 'once', img, 'echo', 'hi'])).code, 0);
    assert.equal((await b(['restart', 'once'])).stdout, 'once\n');
    await eventually('once ran twice', async () => (await b(['logs', 'once'])).stdout === 'hi\nhi\n');
  });
});

test('wait prints the exit code, for several containers in order', async () => {
  await scene(async ({ b, img }) => {
    assert.equal((await b(['run', '-d', '--name', 'w1', img, 'sh', '-c', 'sleep 1; exit 3'])).code, 0);
    assert.equal((await b(['run', '-d', '--name', 'w2', img, 'sh', '-c', 'exit 5'])).code, 0);
    const waited = await b(['wait', 'w1', 'w2'], { timeoutMs: 20_000 });
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout, '3\n5\n');
    const missing = await b(['wait', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nope/);
  });
});

test('rm: refuses a running container unless -f; rm -v keeps bind-mounted host files; several at once', async () => {
  await scene(async ({ b, img }) => {
    assert.equal((await b(['run', '-d', '--name', 'busy', img, 'sleep', '1000'])).code, 0);
    const refused = await b(['rm', 'busy']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /stop the container before removing or force remove/);
    const forced = await b(['rm', '-f', 'busy']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, 'busy\n');
    assert.deepEqual(await statuses(b), []);

    const host = await mkdtemp(join(world().tmp, 'bind-'));
    const wrote = await b(['run', '--name', 'writer', '-v', `${host}:/mnt`, img, 'sh', '-c', 'echo kept > /mnt/file']);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.equal((await b(['create', '--name', 'idle', img, 'true'])).code, 0);
    const removed = await b(['rm', '-v', 'writer', 'idle']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'writer\nidle\n');
    assert.deepEqual(await readdir(host), ['file']);
    assert.deepEqual(await statuses(b), []);

    const missing = await b(['rm', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nope/);
  });
});

test('create then start -a: Created in ps, output attached, the exit code becomes berth’s', async () => {
  await scene(async ({ b, img }) => {
    const created = await b(['create', '--name', 'made', img, 'sh', '-c', 'echo hi; echo oops >&2; exit 4']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, ID);
    assert.deepEqual(await statuses(b), ['made Created']);
    assert.equal(await state(b, 'made'), 'created');
    const started = await b(['start', '-a', 'made']);
    assert.equal(started.code, 4);
    assert.equal(started.stdout, 'hi\n');
    assert.equal(started.stderr, 'oops\n');
    assert.match((await statuses(b))[0], /^made Exited \(4\) /);
    // start without -a prints the name and returns at once
    const again = await b(['start', 'made']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'made\n');
    assert.equal((await b(['wait', 'made'])).stdout, '4\n');
    // start -a -i passes stdin
    assert.equal((await b(['create', '-i', '--name', 'catter', img, 'cat'])).code, 0);
    const piped = await b(['start', '-a', '-i', 'catter'], { input: 'to cat\n', timeoutMs: 20_000 });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, 'to cat\n');
  });
});

test('containers by full ID, unique ID prefix and name', async () => {
  await scene(async ({ b, img }) => {
    const id = (await b(['run', '-d', '--name', 'named', img, 'sleep', '1000'])).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await state(b, id, '.Name'), '/named');
    assert.equal(await state(b, id.slice(0, 7), '.Name'), '/named');
    const exec = await b(['exec', id.slice(0, 12), 'echo', 'by prefix']);
    assert.equal(exec.stdout, 'by prefix\n');
    assert.equal((await b(['rm', '-f', id.slice(0, 10)])).stdout, `${id.slice(0, 10)}\n`);
  });
});

test('logs: --tail/-n, -t timestamps, -f follows until the container exits', async () => {
  await scene(async ({ b, img }) => {
    // stdout and stderr are two pipes: only the pauses make the order across them certain
    assert.equal((await b(['run', '--name', 'lines', img, 'sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three'])).code, 0);
    const tail = await b(['logs', '--tail', '1', 'lines']);
    assert.equal(tail.stdout, 'three\n');
    assert.equal(tail.stderr, '');
    const two = await b(['logs', '-n', '2', 'lines']);
    assert.equal(two.stdout, 'three\n');
    assert.equal(two.stderr, 'two\n');
    const stamped = await b(['logs', '-t', 'lines']);
    const stampedLines = lines(stamped.stdout);
    assert.equal(stampedLines.length, 2);
    for (const [index, word] of ['one', 'three'].entries()) {
      assert.match(stampedLines[index], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z ${word}$`));
    }

    assert.equal((await b(['run', '-d', '--name', 'follow', img, 'sh', '-c', 'echo a; sleep 2; echo b'])).code, 0);
    const began = Date.now();
    const followed = await b(['logs', '-f', 'follow'], { timeoutMs: 20_000 });
    assert.equal(followed.code, 0, followed.stderr);
    assert.equal(followed.stdout, 'a\nb\n');
    assert.ok(Date.now() - began < 10_000);
    // -f of an exited container prints what there is and ends
    assert.equal((await b(['logs', '-f', 'lines'], { timeoutMs: 10_000 })).stdout, 'one\nthree\n');
  });
});

test('exec: -e, -w, -u, -i, -d, and the command’s exit code', async () => {
  await scene(async ({ b, img }) => {
    assert.equal((await b(['run', '-d', '--name', 'target', '-e', 'FROM_RUN=1', img, 'sleep', '1000'])).code, 0);
    assert.equal((await b(['exec', '-e', 'FOO=bar', 'target', 'sh', '-c', 'echo $FOO $FROM_RUN'])).stdout, 'bar 1\n');
    assert.equal((await b(['exec', '-w', '/tmp', 'target', 'pwd'])).stdout, '/tmp\n');
    assert.equal((await b(['exec', '-u', 'app', 'target', 'id', '-un'])).stdout, 'app\n');
    const code = await b(['exec', 'target', 'sh', '-c', 'exit 7']);
    assert.equal(code.code, 7);
    const piped = await b(['exec', '-i', 'target', 'cat'], { input: 'exec stdin\n', timeoutMs: 20_000 });
    assert.equal(piped.stdout, 'exec stdin\n');
    const detached = await b(['exec', '-d', 'target', 'sh', '-c', 'sleep 1; touch /tmp/detached-ran']);
    assert.equal(detached.code, 0, detached.stderr);
    assert.equal(detached.stdout, '');
    await eventually('the detached exec to run', async () => (await b(['exec', 'target', 'ls', '/tmp'])).stdout.includes('detached-ran'));
    const notFound = await b(['exec', 'target', 'no-such-command']);
    assert.notEqual(notFound.code, 0);
    assert.match(notFound.stderr, /no-such-command/);

    assert.equal((await b(['stop', '-t', '0', 'target'])).code, 0);
    const stopped = await b(['exec', 'target', 'true']);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /is not running/);
  });
});

test('inspect: Docker’s JSON and meanings (.Name /web, .Image the ID, .Config.Image as typed), --format', async () => {
  await scene(async ({ b }) => {
    const { single } = world().fixtures;
    const typed = single.ref.replace(/:latest$/, '');
    const started = await b(['run', '-d', '--name', 'web', '-l', 'tier=front', typed, 'sleep', '1000']);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const inspected = await b(['inspect', 'web']);
    assert.equal(inspected.code, 0, inspected.stderr);
    const [container] = JSON.parse(inspected.stdout);
    assert.equal(container.Id, id);
    assert.equal(container.Name, '/web');
    assert.equal(container.Image, single.configDigest);
    assert.equal(container.Config.Image, typed);
    assert.equal(container.Path, 'sleep');
    assert.deepEqual(container.Args, ['1000']);
    assert.equal(container.State.Status, 'running');
    assert.equal(container.State.Running, true);
    assert.ok(container.State.Pid > 0);
    assert.equal(container.Config.Labels.tier, 'front');
    assert.ok(!Object.keys(container.Config.Labels).some((key) => key.startsWith('berth/')), 'berth’s own labels are not the user’s');
    assert.equal(typeof container.HostConfig, 'object');
    assert.ok(Array.isArray(container.Mounts));
    assert.match(container.Created, /^\d{4}-\d\d-\d\dT/);
    assert.equal(await state(b, 'web', '.Config.Image'), typed);
    assert.equal(await state(b, 'web', '.Image'), single.configDigest);
    // berth inspect with --type, and container inspect
    assert.equal((await b(['container', 'inspect', '--format', '{{.Name}}', 'web'])).stdout, '/web\n');
    assert.equal((await b(['inspect', '--type', 'container', '--format', '{{.State.Running}}', 'web'])).stdout, 'true\n');
    // the hostname defaults to the short ID
    assert.equal((await b(['exec', 'web', 'hostname'])).stdout, `${id.slice(0, 12)}\n`);
  });
});

test('a name is generated when omitted (adjective_surname); names follow Docker’s rule', async () => {
  await scene(async ({ b, img }) => {
    assert.equal((await b(['run', '-d', img, 'sleep', '1000'])).code, 0);
    assert.match(await state(b, (await b(['ps', '-q'])).stdout.trim(), '.Name'), /^\/[a-z]+_[a-z]+\d*$/);
    const bad = await b(['run', '--name', 'bad name!', img, 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid container name/);
  });
});

test('ps: -a, -q, -n/-l, --no-trunc, --filter name/status/exited/label, --format', async () => {
  await scene(async ({ b, img }) => {
    assert.equal((await b(['run', '--name', 'done3', '-l', 'group=a', img, 'sh', '-c', 'exit 3'])).code, 3);
    assert.equal((await b(['run', '--name', 'done0', img, 'true'])).code, 0);
    const running = (await b(['run', '-d', '--name', 'up', '-l', 'group=a', img, 'sleep', '1000'])).stdout.trim();
    assert.equal((await b(['ps', '-q'])).stdout, `${running.slice(0, 12)}\n`);
    assert.equal((await b(['ps', '-q', '--no-trunc'])).stdout, `${running}\n`);
    assert.equal(lines((await b(['ps', '-a', '-q'])).stdout).length, 3);
    const names = async (...args: string[]) => lines((await b(['ps', '--format', '{{.Names}}', ...args])).stdout).sort();
    assert.deepEqual(await names('-a'), ['done0', 'done3', 'up']);
    assert.deepEqual(await names('-l'), ['up']);
    assert.deepEqual(await names('-n', '2'), ['done0', 'up']);
    assert.deepEqual(await names('-a', '--filter', 'name=done'), ['done0', 'done3']);
    assert.deepEqual(await names('-a', '--filter', 'status=exited'), ['done0', 'done3']);
    assert.deepEqual(await names('-a', '--filter', 'exited=3'), ['done3']);
    assert.deepEqual(await names('-a', '--filter', 'label=group=a'), ['done3', 'up']);
    assert.deepEqual(await names('--filter', 'status=running'), ['up']);
    const json = JSON.parse(lines((await b(['ps', '--format', 'json'])).stdout)[0]);
    assert.equal(json.Names, 'up');
    assert.equal(json.State, 'running');
  });
});

test('--rm in the foreground leaves no container, snapshot, log or state directory behind', async () => {
  await scene(async ({ namespace, b, img }) => {
    const run = await b(['run', '--rm', '--name', 'gone', img, 'echo', 'bye']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'bye\n');
    assert.deepEqual(await statuses(b), []);
    assert.equal((await ctr(['containers', 'ls', '-q'], namespace)).stdout, '');
    assert.deepEqual(await activeSnapshots(namespace), []);
    assert.deepEqual(await containerDirectories(namespace), []);
    // also when the command fails
    assert.equal((await b(['run', '--rm', img, 'sh', '-c', 'exit 2'])).code, 2);
    assert.equal((await ctr(['containers', 'ls', '-q'], namespace)).stdout, '');
    assert.deepEqual(await containerDirectories(namespace), []);
  });
});

test('run -d --rm of a short command: gone from ps -a (and containerd) soon after it exits', async () => {
  await scene(async ({ namespace, b, img }) => {
    const started = await b(['run', '-d', '--rm', '--name', 'brief', img, 'sh', '-c', 'sleep 1']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, ID);
    await eventually('brief to be removed', async () => (await statuses(b)).length === 0, 10_000, 200);
    await eventually('containerd to forget it', async () => (await ctr(['containers', 'ls', '-q'], namespace)).stdout === '', 5_000);
    assert.deepEqual(await activeSnapshots(namespace), []);
    assert.deepEqual(await containerDirectories(namespace), []);
  });
});

test('8 concurrent run -d --name same: exactly one succeeds, seven exit 125 with "already in use", nothing half-made is left', async () => {
  await scene(async ({ namespace, b, img }) => {
    const results = await Promise.all(Array.from({ length: 8 }, () => b(['run', '-d', '--name', 'same', img, 'sleep', '1000'], { timeoutMs: 120_000 })));
    const winners = results.filter((result) => result.code === 0);
    const losers = results.filter((result) => result.code !== 0);
    assert.equal(winners.length, 1, results.map((result) => `${result.code}: ${result.stderr}`).join('\n'));
    assert.match(winners[0].stdout, ID);
    for (const loser of losers) {
      assert.equal(loser.code, 125, loser.stderr);
      assert.match(loser.stderr, /already in use/);
    }
    assert.deepEqual(lines((await ctr(['containers', 'ls', '-q'], namespace)).stdout), [winners[0].stdout.trim()]);
    assert.equal((await activeSnapshots(namespace)).length, 1);
    assert.deepEqual(await containerDirectories(namespace), [winners[0].stdout.trim()]);
    assert.match((await statuses(b))[0], /^same Up /);
  });
});

test('--hostname, /etc/hosts and /etc/resolv.conf per container; --network none has only lo', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--hostname', 'box', '--network', 'none', img, 'sh', '-c', 'hostname; cat /etc/hostname; grep -c localhost /etc/hosts; test -f /etc/resolv.conf && echo resolv; ls /sys/class/net']);
    assert.equal(run.code, 0, run.stderr);
    const [hostname, file, localhost, resolv, interfaces] = lines(run.stdout);
    assert.deepEqual([hostname, file, resolv, interfaces], ['box', 'box', 'resolv', 'lo']);
    assert.ok(Number(localhost) >= 1, run.stdout);
    // --network host: the host's interfaces
    const host = await b(['run', '--rm', '--network', 'host', img, 'ls', '/sys/class/net']);
    assert.ok(lines(host.stdout).length > 1, host.stdout);
  });
});

test('--init runs the command under an init process as PID 1', async () => {
  await scene(async ({ b, img }) => {
    const run = await b(['run', '--rm', '--init', img, 'sh', '-c', 'cat /proc/1/comm; echo $$']);
    assert.equal(run.code, 0, run.stderr);
    const [pid1, shellPid] = lines(run.stdout);
    assert.notEqual(pid1, 'sh');
    assert.notEqual(shellPid, '1');
    assert.equal((await b(['run', '--rm', img, 'sh', '-c', 'echo $$'])).stdout, '1\n');
  });
});
