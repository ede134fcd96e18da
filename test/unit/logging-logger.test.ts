// The real logger process, driven the way containerd's shim drives it (fds 3/4 for output, fd 5
// for readiness, the bundle as cwd with runc's init.pid) and the way berth starts it itself for
// `-i` without `-t` (FIFOs). No containerd needed: the test plays the shim.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { open, constants } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BerthConfig } from '../../src/config/config.js';
import { FrameDecoder } from '../../src/runtime/logging/frames.js';
import { loggerPaths, prepareInitIO } from '../../src/runtime/logging/task-io.js';
import { containerDirectory, containerLogPath } from '../../src/runtime/paths.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'berth-logger-'));
const sleepers: ChildProcess[] = [];
after(() => {
  for (const sleeper of sleepers) sleeper.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

// the logger under test is this source tree's, bundled as `npm run build` bundles it
before(async () => {
  await build({ absWorkingDir: root, entryPoints: ['src/logger/main.ts'], outfile: join(root, 'dist/logger.cjs'), bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' });
});

const until = async (test: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const entries = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { log: string; stream: string });

/** A stand-in for the container's init process, whose pid runc writes into the bundle. */
function fakeBundle(): { bundle: string; init: ChildProcess } {
  const bundle = mkdtempSync(join(scratch, 'bundle-'));
  const init = spawn('sleep', ['60'], { stdio: 'ignore' });
  sleepers.push(init);
  writeFileSync(join(bundle, 'init.pid'), String(init.pid));
  return { bundle, init };
}

/** What the shim does with a binary:// URI: argv from the query (order shuffled), env without PATH, fds 3/4/5. */
function startAsShim(uri: string, bundle: string, id: string): ChildProcess {
  const url = new URL(uri);
  const pairs = [...url.searchParams.entries()].reverse().flat();
  return spawn(decodeURIComponent(url.pathname), pairs, {
    cwd: bundle,
    env: { CONTAINER_ID: id, CONTAINER_NAMESPACE: 'default' },
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
}

const config = (): BerthConfig => ({
  address: join(scratch, 'containerd.sock'),
  namespace: 'default',
  snapshotter: 'overlayfs',
  dataRoot: join(scratch, 'data'),
  cniPath: '/usr/lib/cni',
  cniNetconfPath: '/etc/berth/cni/net.d',
  insecureRegistries: [],
  hostsDirs: [],
  debug: false,
  maxConcurrentDownloads: 3,
  bridgeSubnet: '10.213.0.0/24',
});

describe('logger process', () => {
  it('is found next to the bundle', () => {
    const { wrapper, script } = loggerPaths();
    assert.ok(existsSync(wrapper), wrapper);
    assert.ok(existsSync(script), script);
  });

  it('signals ready before Node is up, logs, survives its attached client, runs onExit after the drain', async () => {
    const { bundle, init } = fakeBundle();
    const directory = mkdtempSync(join(scratch, 'c-'));
    const logPath = join(directory, 'c-json.log');
    const pidFile = join(directory, 'logger.pid');
    const marker = join(directory, 'on-exit');
    const name = `\0berth-test-${process.pid}-1`;
    const frames: string[] = [];
    let client: Socket | undefined;
    const server = createServer((socket) => {
      client = socket;
      const decoder = new FrameDecoder();
      socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk).map((f) => `${f.stream}:${f.data}`)));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(name, resolve));
    // onExit records whether the log was complete and the pid file gone when it ran
    const onExit = ['/bin/sh', '-c', `cp ${logPath} ${marker}; test -e ${pidFile} && echo pid-file-left >> ${marker}; true`];
    writeFileSync(join(directory, 'logger.json'), JSON.stringify({ driver: 'json-file', logPath, maxSize: 0, maxFile: 1, attach: name, pidFile, onExit }));
    const { wrapper } = loggerPaths();
    const logger = spawn(wrapper, ['node', process.execPath, 'config', join(directory, 'logger.json')], {
      cwd: bundle,
      env: { CONTAINER_ID: 'c', CONTAINER_NAMESPACE: 'default' },
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const stdout = logger.stdio[3] as Socket;
    const stderr = logger.stdio[4] as Socket;
    const ready = (logger.stdio as unknown as Socket[])[5];
    let pidFileAtReady: boolean | undefined;
    await new Promise<void>((resolve) => {
      ready.on('end', () => {
        pidFileAtReady = existsSync(pidFile);
        resolve();
      });
      ready.resume();
    });
    assert.equal(pidFileAtReady, false, 'fd 5 closed before the logger (Node) was up');

    stdout.write('hello\nwor');
    stderr.write('oops\n');
    stdout.write('ld\n');
    const joined = (stream: string) => frames.filter((f) => f.startsWith(`${stream}:`)).map((f) => f.slice(stream.length + 1)).join('');
    await until(() => joined('stdout') === 'hello\nworld\n' && joined('stderr') === 'oops\n', 'frames');
    assert.ok(existsSync(pidFile));

    client!.destroy(); // berth killed: the logger keeps logging
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stdout.write('after berth went\n');
    await until(() => existsSync(logPath) && readFileSync(logPath, 'utf8').includes('after berth went'), 'logging after the client went');

    stderr.write('last words\n');
    init.kill('SIGKILL'); // the container exits; the shim still holds the pipes open
    const [code] = await new Promise<[number | null]>((resolve) => logger.on('exit', (c) => resolve([c])));
    assert.equal(code, 0);
    const logged = entries(logPath);
    assert.deepEqual(logged.filter((e) => e.stream === 'stdout').map((e) => e.log), ['hello\n', 'world\n', 'after berth went\n']);
    assert.deepEqual(logged.filter((e) => e.stream === 'stderr').map((e) => e.log), ['oops\n', 'last words\n']);
    assert.ok(!existsSync(pidFile));
    await until(() => existsSync(marker), 'onExit');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(readFileSync(marker, 'utf8'), readFileSync(logPath, 'utf8'), 'onExit ran after the drain, with the pid file gone');
  });

  it('drains what the pipes hold on SIGTERM (task delete)', async () => {
    const { bundle } = fakeBundle();
    const directory = mkdtempSync(join(scratch, 'c-'));
    const logPath = join(directory, 'c-json.log');
    const pidFile = join(directory, 'logger.pid');
    writeFileSync(join(directory, 'logger.json'), JSON.stringify({ driver: 'json-file', logPath, maxSize: 0, maxFile: 1, pidFile }));
    const logger = spawn(loggerPaths().wrapper, ['config', join(directory, 'logger.json'), 'node', process.execPath], { cwd: bundle, env: {}, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    await until(() => existsSync(pidFile), 'the logger');
    logger.kill('SIGSTOP');
    const lines = Array.from({ length: 500 }, (_, index) => `line ${index}\n`).join('');
    (logger.stdio[3] as Socket).write(lines);
    await new Promise((resolve) => setTimeout(resolve, 50));
    logger.kill('SIGTERM');
    logger.kill('SIGCONT');
    await new Promise((resolve) => logger.on('exit', resolve));
    assert.equal(entries(logPath).length, 500);
  });

  it('TTY: ends when the console output (fd 3) ends; driver none writes no log', async () => {
    const { bundle } = fakeBundle();
    const directory = mkdtempSync(join(scratch, 'c-'));
    const logPath = join(directory, 'c-json.log');
    writeFileSync(join(directory, 'logger.json'), JSON.stringify({ driver: 'none', logPath, maxSize: 0, maxFile: 1, tty: true }));
    const logger = spawn(loggerPaths().wrapper, ['config', join(directory, 'logger.json'), 'node', process.execPath], { cwd: bundle, env: {}, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    (logger.stdio[3] as Socket).end('hi\r\n');
    const code = await new Promise((resolve) => logger.on('exit', resolve));
    assert.equal(code, 0);
    assert.ok(!existsSync(logPath));
  });
});

describe('prepareInitIO', () => {
  it('binary:// logger started as the shim would: attached output, ready, done after the exit', async () => {
    const { bundle, init } = fakeBundle();
    const id = 'a'.repeat(64);
    const io = await prepareInitIO({ config: config(), namespace: 'default', id, log: { driver: 'json-file', maxSize: 0, maxFile: 1 }, tty: false, openStdin: false, attach: true });
    assert.match(io.stdout, /^binary:\/\/\/.*berth-logger\?config=/);
    assert.equal(io.stdout, io.stderr);
    assert.equal(io.stdin, '');
    const logger = startAsShim(io.stdout, bundle, id);
    await io.attached!.ready;
    const seen: string[] = [];
    io.attached!.onOutput((stream, chunk) => seen.push(`${stream}:${chunk}`));
    (logger.stdio[3] as Socket).write('out\n');
    (logger.stdio[4] as Socket).write('err\n');
    await until(() => seen.length === 2, 'output');
    init.kill('SIGKILL');
    await io.attached!.done;
    await io.release();
    assert.deepEqual(seen.sort(), ['stderr:err\n', 'stdout:out\n']);
    assert.deepEqual(entries(containerLogPath(config(), 'default', id)).map((e) => e.log).sort(), ['err\n', 'out\n']);
  });

  it('-i without -t: berth starts the logger on FIFOs and feeds stdin itself', async () => {
    const id = 'b'.repeat(64);
    const io = await prepareInitIO({ config: config(), namespace: 'default', id, log: { driver: 'json-file', maxSize: 0, maxFile: 1 }, tty: false, openStdin: true, attach: true });
    const directory = containerDirectory(config(), 'default', id);
    assert.deepEqual([io.stdin, io.stdout, io.stderr], ['stdin', 'stdout', 'stderr'].map((name) => join(directory, name)));
    // the shim's side: stdin read end, output write ends (they complete against the logger's pending opens)
    const stdinReader = await open(io.stdin, constants.O_RDONLY | constants.O_NONBLOCK);
    const [out, err] = await Promise.all([open(io.stdout, constants.O_WRONLY), open(io.stderr, constants.O_WRONLY)]);
    await io.attached!.ready;
    const seen: string[] = [];
    io.attached!.onOutput((stream, chunk) => seen.push(`${stream}:${chunk}`));
    io.attached!.stdinWriter!.write('typed\n');
    await until(() => {
      const buffer = Buffer.alloc(64);
      try {
        return readNow(stdinReader.fd, buffer) === 'typed\n';
      } catch {
        return false;
      }
    }, 'stdin');
    await out.write('from the container\n');
    await err.write('complaint\n');
    await until(() => seen.length === 2, 'output');
    await out.close();
    await err.close();
    await io.attached!.done;
    await io.release();
    await stdinReader.close();
    assert.deepEqual(seen.sort(), ['stderr:complaint\n', 'stdout:from the container\n']);
    const log = containerLogPath(config(), 'default', id);
    await until(() => !existsSync(join(directory, 'logger.pid')), 'the logger to finish');
    assert.deepEqual(entries(log).map((e) => e.log).sort(), ['complaint\n', 'from the container\n']);
  });
});

function readNow(fd: number, buffer: Buffer): string {
  const count = readSync(fd, buffer);
  return buffer.subarray(0, count).toString();
}
