// berth's log driver process, one per running container: started by containerd's shim through
// bin/berth-logger (binary:// log URI; fds 3 and 4 carry stdout and stderr, fd 5 was already
// closed by the wrapper), or by berth itself in FIFO mode for `-i` without `-t`. It writes the
// json-file log, forwards every chunk to an attached berth when one listens, and outlives berth:
// the container never blocks because berth went away. Built as its own small bundle (no oclif,
// no gRPC): every running container pays for this process's memory.

import { closeSync, open, openSync, readFileSync, readSync, unlinkSync, writeFileSync, appendFileSync, constants } from 'node:fs';
import { Socket, createConnection, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { JsonFileWriter, type LogStream } from '../runtime/logging/json-file.js';
import { encodeFrame } from '../runtime/logging/frames.js';
import { checkLoggerConfig, configPathFromArgs, type LoggerConfig, type LoggerHealth, type LoggerProxy } from '../runtime/logging/logger-config.js';
import type { ChildProcess } from 'node:child_process';

/** An attached berth slower than the container: reading pauses (as Docker's attach does) past this. */
const ATTACH_HIGH_WATER = 1 << 20;
/**
 * How often a shim-mode logger looks whether the container's init process is still there: often
 * at first (short commands end soon, and `--rm -d` or `logs -f` wait for the logger), then calmly.
 */
const EXIT_POLL_FAST_MS = 5;
const EXIT_POLL_FAST_PERIOD_MS = 2000;
const EXIT_POLL_MS = 250;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Input {
  readonly stream: LogStream;
  readonly fd: number;
  readonly socket: Socket;
  ended: boolean;
}

let config: LoggerConfig;
let writer: JsonFileWriter | undefined;
let attach: Socket | undefined;
let holdStdinFd: number | undefined;
/** `berth attach` clients: they see output from when they came, as Docker's attach does */
const watchers = new Set<Socket>();
let watcherServer: Server | undefined;
let inputs: Input[] = [];
let started = false;
let finishing = false;
let exitPoll: NodeJS.Timeout | undefined;
let terminatedByShim = false;
let probes: ChildProcess | undefined;

let configPath = '';

function main(): void {
  configPath = configPathFromArgs(process.argv.slice(2));
  try {
    config = checkLoggerConfig(JSON.parse(readFileSync(configPath, 'utf8')));
  } catch (error) {
    report(error, join(dirname(configPath), 'logger.err'));
    // still drain the shim's pipes: a reader gone would kill the container with SIGPIPE
    config = { driver: 'none', logPath: configPath, maxSize: 0, maxFile: 1 };
  }
  process.on('SIGTERM', () => {
    // the shim signals while someone deletes the task: that berth records the exit itself
    terminatedByShim = true;
    if (awaitingDelete) void (guarding ?? Promise.resolve()).then(() => process.exit(0));
    else finish();
  });
  // the shim's session or berth's terminal may go: neither ends the log
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);
  try {
    if (config.driver === 'json-file') writer = new JsonFileWriter({ path: config.logPath, maxSize: config.maxSize, maxFile: config.maxFile });
  } catch (error) {
    report(error); // no log, but the output still flows to an attached berth
  }
  try {
    // O_RDWR on a FIFO never blocks, and this writer keeps the container's stdin from ever reading EOF
    if (config.holdStdin) holdStdinFd = openSync(config.holdStdin, constants.O_RDWR);
  } catch (error) {
    report(error);
  }
  if (config.listen) listenForWatchers(config.listen, 0);
  for (const proxy of config.proxies ?? []) startProxy(proxy, 0);
  if (config.health) startProbes(config.health);
  if (config.stdout && config.stderr) {
    openFifos(config.stdout, config.stderr);
  } else {
    // fd 4 stays an idle pipe with a TTY: the shim never closes its other end, so it is not waited for
    if (config.tty) closeQuietly(4);
    connectInputs(config.tty ? [{ stream: 'stdout', fd: 3 }] : [{ stream: 'stdout', fd: 3 }, { stream: 'stderr', fd: 4 }]);
    // A TTY logger starts after runc created the container; without one, the shim held our
    // pipes' write ends until the task is deleted, so the container's exit is watched instead.
    if (config.tty) started = true;
    else watchInitProcess();
  }
}

/** FIFO mode: the opens complete when the shim opens the write ends, during Tasks.Create. */
function openFifos(stdout: string, stderr: string): void {
  const fds: Array<{ stream: LogStream; fd: number }> = [];
  for (const [stream, path] of [['stdout', stdout], ['stderr', stderr]] as const) {
    open(path, constants.O_RDONLY, (error, fd) => {
      if (error) {
        report(error);
        process.exit(1);
      }
      fds.push({ stream, fd });
      if (fds.length === 2) {
        started = true;
        connectInputs(fds);
      }
    });
  }
}

function connectInputs(list: Array<{ stream: LogStream; fd: number }>): void {
  if (config.attach) {
    // half-open: with attachReaps the output ends (FIN) while berth's side stays open until it goes
    attach = createConnection({ path: config.attach, allowHalfOpen: true });
    attach.on('error', dropAttach);
    attach.on('close', dropAttach);
    attach.on('drain', resumeInputs);
    // the attached berth learnt of the exit from containerd: no need to wait for the next poll
    attach.on('data', () => finish());
  }
  inputs = list.map(({ stream, fd }) => {
    const socket = new Socket({ fd, readable: true, writable: false });
    const input: Input = { stream, fd, socket, ended: false };
    socket.on('data', (chunk: Buffer) => handle(stream, chunk));
    socket.on('end', () => inputEnded(input));
    socket.on('error', () => inputEnded(input));
    return input;
  });
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);
}

/** The previous run's logger may still be draining under the same name: a few tries, then none. */
function listenForWatchers(name: string, attempt: number): void {
  const server = createServer((socket) => {
    if (finishing) {
      socket.destroy();
      return;
    }
    watchers.add(socket);
    const drop = () => {
      watchers.delete(socket);
      socket.destroy();
      resumeInputs();
    };
    socket.on('error', drop);
    socket.on('close', drop);
    socket.on('drain', resumeInputs);
    socket.resume(); // a watcher sends nothing that matters; its stdin goes to the FIFO
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && attempt < 20 && !finishing) setTimeout(() => listenForWatchers(name, attempt + 1), 100).unref();
    else report(error);
  });
  server.listen(name);
  server.unref();
  watcherServer = server;
}

const proxyServers: Server[] = [];
const proxied = new Set<Socket>();

/**
 * Docker's userland proxy for a port published on an IPv6 host address: NAT cannot take it to
 * the container's IPv4 address, so the container's logger accepts and forwards, for as long as
 * the container runs. The previous task's logger may still hold the port for a moment.
 */
function startProxy(proxy: LoggerProxy, attempt: number): void {
  const server = createServer((client) => {
    if (finishing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: proxy.targetHost, port: proxy.targetPort });
    for (const socket of [client, upstream]) {
      proxied.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => proxied.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && attempt < 20 && !finishing) setTimeout(() => startProxy(proxy, attempt + 1), 100).unref();
    else report(error);
  });
  server.listen({ host: proxy.listenHost, port: proxy.listenPort });
  server.unref();
  proxyServers.push(server);
}

function stopProxies(): void {
  for (const server of proxyServers) server.close();
  for (const socket of proxied) socket.destroy();
}

function handle(stream: LogStream, chunk: Buffer): void {
  if (attach || watchers.size > 0) {
    const frame = encodeFrame(stream, chunk);
    for (const socket of attach ? [attach, ...watchers] : watchers) {
      const flowing = socket.write(frame);
      if (!flowing && socket.writableLength > ATTACH_HIGH_WATER) for (const input of inputs) input.socket.pause();
    }
  }
  if (writer) {
    try {
      writer.write(stream, chunk);
    } catch (error) {
      // a full disk must not stop the container: the output keeps being drained (and attached)
      if (!writeFailed) report(error);
      writeFailed = true;
    }
  }
}

function dropAttach(): void {
  if (!attach) return;
  attach.destroy();
  attach = undefined;
  resumeInputs();
}

function resumeInputs(): void {
  if (finishing) return;
  for (const input of inputs) input.socket.resume();
}

function inputEnded(input: Input): void {
  input.ended = true;
  if (inputs.every((each) => each.ended)) finish();
}

/** runc writes the init pid into the bundle (our cwd) just after starting us; it is polled, not watched, to stay small. */
function watchInitProcess(): void {
  let pid: number | undefined;
  const startedAt = Date.now();
  const check = (): void => {
    if (pid === undefined) {
      try {
        const found = Number.parseInt(readFileSync('init.pid', 'utf8'), 10);
        if (found > 0) {
          pid = found;
          started = true;
        }
      } catch {
        // not written yet
      }
    }
    const next = () => (exitPoll = setTimeout(check, Date.now() - startedAt < EXIT_POLL_FAST_PERIOD_MS ? EXIT_POLL_FAST_MS : EXIT_POLL_MS));
    if (pid === undefined) {
      next();
      return;
    }
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        finish();
        return;
      }
    }
    next();
  };
  check();
}

/**
 * The output is over (EOF, the container's exit, or the shim's SIGTERM): what the pipes still
 * hold is read synchronously — libuv made the fds non-blocking, so EAGAIN means nothing is left.
 */
function finish(): void {
  if (finishing) return;
  finishing = true;
  if (exitPoll) clearTimeout(exitPoll);
  stopProbes();
  stopProxies();
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (const input of inputs) {
    if (input.ended) continue;
    input.socket.pause();
    let chunk: Buffer | null;
    while ((chunk = input.socket.read() as Buffer | null) !== null) handle(input.stream, chunk);
    for (;;) {
      let count: number;
      try {
        count = readSync(input.fd, buffer);
      } catch {
        break;
      }
      if (count === 0) break;
      handle(input.stream, Buffer.from(buffer.subarray(0, count)));
    }
  }
  for (const input of inputs) input.socket.destroy();
  try {
    writer?.close();
  } catch (error) {
    report(error);
  }
  watcherServer?.close();
  const sockets = attach ? [attach, ...watchers] : [...watchers];
  if (sockets.length > 0) {
    let open = sockets.length;
    const done = () => {
      open -= 1;
      if (open === 0) complete();
    };
    if (attach) attach.removeListener('close', dropAttach);
    for (const socket of sockets) {
      if (socket === attach && berthDeletesTask()) {
        // the end of the output; the connection stays, and its close means berth went
        socket.end(done);
        continue;
      }
      socket.removeAllListeners('close');
      socket.once('close', done);
      // flushed to the socket is enough: the shim's Tasks.Delete waits for this process to exit
      socket.end(() => socket.destroy());
    }
    // an attached berth that stopped reading cannot hold the shim's Tasks.Delete (12 s until SIGKILL)
    setTimeout(complete, 5000).unref();
  } else {
    complete();
  }
}

/** A foreground berth still connected will delete the task (see LoggerConfig.attachReaps). */
function berthDeletesTask(): boolean {
  return config.attachReaps !== undefined && attach !== undefined && !attach.destroyed && !terminatedByShim;
}

let completed = false;
let awaitingDelete = false;
/** the `--rm` removal's guard being started (guardRemoval) */
let guarding: Promise<void> | undefined;
let writeFailed = false;
function complete(): void {
  if (completed) return;
  completed = true;
  for (const socket of watchers) socket.destroy();
  if (config.pidFile) {
    try {
      unlinkSync(config.pidFile);
    } catch {
      // already gone with the container's directory
    }
  }
  if (holdStdinFd !== undefined) closeQuietly(holdStdinFd);
  if (berthDeletesTask()) {
    // The shim's SIGTERM (berth's Tasks.Delete) ends this process; berth gone before it, the
    // reaper does berth's part. No reaper process for every foreground run. The guard of a
    // `--rm` removal is started now, while berth is still at its Tasks.Delete.
    awaitingDelete = true;
    guarding = guardRemoval();
    const guarded = guarding !== undefined;
    const berthGone = () => {
      if (!awaitingDelete) return;
      awaitingDelete = false;
      attach?.destroy();
      if (guarded) process.exit(0); // the guard finds berth gone and starts the reaper
      runOnExit();
    };
    attach!.once('close', berthGone);
    attach!.once('end', berthGone);
    return;
  }
  attach?.destroy();
  if (terminatedByShim && config.attachReaps !== undefined) {
    exitDeleted();
    return;
  }
  if (config.onExit && started && (!terminatedByShim || config.reapWhenDeleted)) {
    runOnExit();
    return;
  }
  process.exit(0);
}

/** Starts the reaper (`onExit`) detached, then exits. */
function runOnExit(): void {
  if (!config.onExit) process.exit(0);
  void import('node:child_process').then(({ spawn }) => {
    try {
      const [command, ...args] = config.onExit!;
      spawn(command, args, { detached: true, stdio: 'ignore', env: reaperEnv(), cwd: '/' }).unref();
    } catch (error) {
      report(error);
    }
    process.exit(0);
  });
}

/**
 * With `--rm`, berth's removal follows its Tasks.Delete: if berth dies before it is done, the
 * reaper removes the container once berth's pid is gone. A shell waits for that, not a Node
 * process, and starts nothing when the container's directory (this config's) has gone with a
 * removal that completed. Undefined when there is nothing to guard; else settles once started.
 */
function guardRemoval(): Promise<void> | undefined {
  if (config.onExit?.includes('--remove') !== true || config.attachReaps === undefined) return undefined;
  return import('node:child_process').then(({ spawn }) => {
    try {
      const guard = 'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; [ -e "$2" ] || exit 0; shift 2; exec "$@"';
      spawn('/bin/sh', ['-c', guard, 'berth-reap-guard', String(config.attachReaps), configPath, ...config.onExit!], {
        detached: true,
        stdio: 'ignore',
        env: reaperEnv(),
        cwd: '/',
      }).unref();
    } catch (error) {
      report(error);
    }
  });
}

/** Ended by the attached berth's Tasks.Delete before the output was complete. */
function exitDeleted(): void {
  void (guardRemoval() ?? Promise.resolve()).then(() => process.exit(0));
}

function reaperEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: process.env.PATH ?? DEFAULT_PATH };
}

/** The health probes run beside the container, in their own process group (see LoggerHealth). */
function startProbes(health: LoggerHealth): void {
  void import('node:child_process').then(({ spawn }) => {
    if (finishing) return;
    const [command, ...args] = health.command;
    const env = { ...process.env, PATH: process.env.PATH ?? DEFAULT_PATH };
    probes = spawn(command, args, { detached: true, stdio: 'ignore', env, cwd: '/' });
    probes.on('error', report);
  });
}

/** The container has ended: a probe under way is dropped (berth records nothing on SIGTERM). */
function stopProbes(): void {
  if (probes?.pid === undefined) return;
  try {
    process.kill(-probes.pid, 'SIGTERM');
  } catch {
    // the probes already ended
  }
  probes = undefined;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // not open
  }
}

/** Nobody sees the logger's stderr (/dev/null under the shim): failures go next to its config. */
function report(error: unknown, file?: string): void {
  const target = file ?? (config?.logPath ? join(dirname(config.logPath), 'logger.err') : undefined);
  if (!target) return;
  try {
    appendFileSync(target, `${new Date().toISOString()} ${error instanceof Error ? error.message : String(error)}\n`);
  } catch {
    // nowhere to report to
  }
}

main();
