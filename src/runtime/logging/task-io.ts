// A task's stdio, berth side. Every init process's output goes through berth's logger
// (bin/berth-logger, a binary:// log driver the shim starts, or — for `-i` without `-t`, where
// containerd's binary IO has no stdin — a logger berth starts itself on FIFOs): the log is
// written and the container keeps running whether or not a berth watches. A foreground berth
// receives the output from the logger through an abstract unix socket; stdin goes through a
// FIFO berth writes to, held open by the logger when berth must be able to go away.

import { closeSync, existsSync, open as openFd } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile, constants } from 'node:fs/promises';
import { createConnection, createServer, Socket, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { stateDirectory, type BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { containerDirectory, containerLogPath } from '../paths.js';
import { FrameDecoder } from './frames.js';
import type { LogStream } from './json-file.js';
import type { LoggerConfig, LoggerProxy, LoggerHealth } from './logger-config.js';
import { childProcess } from '../../lazy-node.js';

export interface LogSettings {
  readonly driver: 'json-file' | 'none';
  /** bytes; 0 = unlimited */
  readonly maxSize: number;
  readonly maxFile: number;
}

// Docker's drivers berth does not have: refused by name rather than as unknown.
const DOCKER_DRIVERS = new Set(['local', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries']);
// json-file options Docker takes that berth does not implement (yet): refused, never ignored.
const UNSUPPORTED_JSON_FILE_OPTS = new Set(['compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);

/** `--log-driver` and `--log-opt` as Docker's daemon checks them (the daemon default is json-file, unlimited). */
export function parseLogSettings(type: string | undefined, opts: Record<string, string> | undefined): LogSettings {
  const driver = type === undefined || type === '' ? 'json-file' : type;
  if (driver === 'none') return { driver: 'none', maxSize: 0, maxFile: 1 }; // Docker takes any opts for none
  if (driver !== 'json-file') {
    if (DOCKER_DRIVERS.has(driver)) throw new BerthError('usage', `log driver "${driver}" is not supported by berth: use json-file or none`);
    throw new BerthError('usage', `logger: no log driver named '${driver}' is registered`);
  }
  let maxSize = 0;
  let maxFile = 1;
  for (const [key, value] of Object.entries(opts ?? {})) {
    if (key === 'max-size') {
      maxSize = parseHumanSize(value);
      if (maxSize <= 0) throw new BerthError('usage', 'max-size must be a positive number');
    } else if (key === 'max-file') {
      if (!/^[+-]?\d+$/.test(value)) throw new BerthError('usage', `strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
      maxFile = Number(value);
      if (maxFile < 1) throw new BerthError('usage', 'max-file cannot be less than 1');
    } else if (UNSUPPORTED_JSON_FILE_OPTS.has(key)) {
      throw new BerthError('usage', `log opt '${key}' of the json-file log driver is not supported by berth`);
    } else {
      throw new BerthError('usage', `unknown log opt '${key}' for json-file log driver`);
    }
  }
  return { driver: 'json-file', maxSize, maxFile };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units' FromHumanSize: decimal units, `10m`, `1.5k`, `20MB`, `3 g`. */
export function parseHumanSize(value: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  const number = match ? Number.parseFloat(match[1]) : Number.NaN;
  if (!match || Number.isNaN(number)) throw new BerthError('usage', `invalid size: '${value}'`);
  return Math.trunc(number * SIZE_UNITS[(match[2] ?? '').toLowerCase()]);
}

export interface TaskIO {
  /** for CreateTaskRequest / ExecProcessRequest ('' = none) */
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
  /** present when the caller asked to see output / feed stdin */
  readonly attached?: AttachedIO;
  /**
   * When berth is done with the task's IO — right after Tasks.Start when not attached, after
   * `attached.done` when attached, or after a failed Tasks.Create: closes berth's ends (stdin
   * included). When the logger must take stdin over from berth (`-d -i`, `-d -it`) it first waits
   * (≤ 5 s) for the logger to hold it; a logger berth started that never got ready is killed.
   */
  release(): Promise<void>;
  /** Tasks.Create failed: a logger berth started itself is stopped at once, nothing is waited for. */
  abort(): Promise<void>;
}

export interface AttachedIO {
  /** the container's stdin (a FIFO), when stdin was asked for */
  readonly stdinWriter?: NodeJS.WritableStream;
  /** EOF to the container (non-TTY `-i` when our stdin ends); with a TTY the logger keeps stdin open */
  closeStdin(): void;
  /** chunks as the container writes them; chunks that came before the handler are replayed to it */
  onOutput(handler: (stream: LogStream, chunk: Buffer) => void): void;
  /**
   * The logger is connected (init) — await after Tasks.Create, before Tasks.Start; rejects after
   * 15 s naming the logger. Resolved at once for an exec, whose FIFOs open only at Tasks.Start.
   */
  readonly ready: Promise<void>;
  /** output ended (the container exited and its output is drained) or detach() */
  readonly done: Promise<void>;
  /** stop forwarding; the container and its logging go on */
  detach(): void;
  /**
   * Tells the logger the process has exited (berth knows it from Tasks.Wait): it drains and
   * hangs up at once instead of at its next check. Nothing where the shim copies the output (an
   * exec's or a FIFO-mode init's FIFOs, a terminal's console): its last copy may come after the
   * exit event, and the end of the copy ends the output anyway.
   */
  processExited(): void;
}

const READY_TIMEOUT_MS = 15_000;
/** any byte from berth on the attach socket means "the process has exited" */
const EXITED = Buffer.from([1]);
const HANDOVER_TIMEOUT_MS = 5_000;
const NODE_OPTIONS = ['--max-semi-space-size=1', '--v8-pool-size=0'];

/** The logger's entry points: the wrapper the shim runs and the bundle berth runs in FIFO mode. */
export function loggerPaths(): { wrapper: string; script: string } {
  // The bundle sits in dist/ (one level down); under tsx this file is src/runtime/logging/.
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level++) {
    if (existsSync(join(directory, 'bin', 'berth-logger'))) break;
    directory = dirname(directory);
  }
  return { wrapper: join(directory, 'bin', 'berth-logger'), script: join(directory, 'dist', 'logger.cjs') };
}

/** containerd's binary:// URI: argv comes from the query, the shim gives no PATH (so node's path goes along). */
export function loggerUri(configPath: string, wrapper = loggerPaths().wrapper, node = process.execPath): string {
  const path = wrapper.split('/').map(encodeURIComponent).join('/');
  return `binary://${path}?config=${encodeURIComponent(configPath)}&node=${encodeURIComponent(node)}`;
}

export interface InitIOOptions {
  readonly config: BerthConfig;
  readonly namespace: string;
  readonly id: string;
  readonly log: LogSettings;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly attach: boolean;
  /** argv the logger runs detached once the container's output is over (berth's reaper) */
  readonly onExit?: string[];
  /** the health check the logger runs while the container runs */
  readonly health?: LoggerHealth;
  /** the attached berth deletes the task when the process exits (a foreground run without a restart policy) */
  readonly attachReaps?: boolean;
  /** ports the logger proxies while the container runs (see LoggerConfig.proxies) */
  readonly proxies?: readonly LoggerProxy[];
  /** containerd's restart monitor restarts the container: the reaper runs even after the shim's SIGTERM */
  readonly restartMonitored?: boolean;
}

/**
 * IO for a container's init process. Files live in the container's directory: `logger.json`
 * (the logger's config), `logger.pid` (there while the logger runs: `logs -f` ends when it is gone),
 * `stdin` and, for `-i` without `-t`, `stdout`/`stderr` FIFOs.
 */
export async function prepareInitIO(options: InitIOOptions): Promise<TaskIO> {
  const { config, namespace, id, log, tty, openStdin, attach } = options;
  const directory = containerDirectory(config, namespace, id);
  await mkdir(directory, { recursive: true });
  const configPath = join(directory, 'logger.json');
  const pidFile = join(directory, 'logger.pid');
  const fifoMode = openStdin && !tty;
  const fifos = {
    stdin: openStdin ? join(directory, 'stdin') : '',
    stdout: fifoMode ? join(directory, 'stdout') : '',
    stderr: fifoMode ? join(directory, 'stderr') : '',
  };
  await rm(pidFile, { force: true });
  await makeFifos([fifos.stdin, fifos.stdout, fifos.stderr].filter((path) => path !== ''));

  const cleanup: Array<() => void> = [];
  try {
    let stdinSocket: Socket | undefined;
    if (openStdin) {
      // O_RDWR never blocks; this handle is the FIFO's writer until the logger or our closeStdin takes over
      stdinSocket = new Socket({ fd: await openRaw(fifos.stdin, constants.O_RDWR | constants.O_NONBLOCK), readable: false, writable: true });
      stdinSocket.on('error', () => undefined);
      cleanup.push(() => stdinSocket!.destroy());
    }
    const attachment = attach ? await listenForLogger(id) : undefined;
    if (attachment) cleanup.push(() => attachment.server.close());

    const holdStdin = openStdin && (tty || !attach) ? fifos.stdin : undefined;
    const loggerConfig: LoggerConfig = {
      ...commonLoggerConfig(options),
      ...(tty ? { tty: true } : {}),
      // (a logger of berth's own, in FIFO mode, gets no SIGTERM from the shim's Tasks.Delete)
      ...(attachment ? { attach: attachment.name, ...(options.attachReaps && !fifoMode ? { attachReaps: process.pid } : {}) } : {}),
      listen: watcherSocketName(directory),
      ...(holdStdin ? { holdStdin } : {}),
      ...(fifoMode ? { stdout: fifos.stdout, stderr: fifos.stderr } : {}),
      ...(options.health ? { health: options.health } : {}),
    };
    await writeFile(configPath, `${JSON.stringify(loggerConfig)}\n`);

    let ownLogger: number | undefined;
    if (fifoMode) {
      const child = childProcess().spawn(process.execPath, [...NODE_OPTIONS, loggerPaths().script, 'config', configPath], {
        detached: true,
        stdio: 'ignore',
        cwd: directory,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', CONTAINER_ID: id, CONTAINER_NAMESPACE: namespace },
      });
      child.on('error', () => undefined);
      child.unref();
      ownLogger = child.pid;
    }
    const uri = fifoMode ? '' : loggerUri(configPath);
    const loggerReady = () => waitForFile(pidFile, HANDOVER_TIMEOUT_MS);
    let released = false;

    const io: TaskIO = {
      stdin: fifos.stdin,
      stdout: fifoMode ? fifos.stdout : uri,
      stderr: fifoMode ? fifos.stderr : tty ? '' : uri,
      attached: attachment ? attachedInit(attachment, stdinSocket, directory, !fifoMode && !tty) : undefined,
      async release() {
        if (released) return;
        released = true;
        attachment?.server.close();
        void attachment?.connection.then((connection) => connection.destroy());
        const needsLogger = (holdStdin !== undefined && !attach) || ownLogger !== undefined;
        if (needsLogger && !(await loggerReady()) && ownLogger !== undefined) killQuietly(ownLogger);
        stdinSocket?.destroy();
      },
      async abort() {
        released = true;
        if (ownLogger !== undefined && !existsSync(pidFile)) killQuietly(ownLogger);
        for (const step of cleanup) step();
      },
    };
    return io;
  } catch (error) {
    for (const step of cleanup) step();
    throw error;
  }
}

/** What every logger of the container is told: where the log goes, its pid file, its reaper. */
function commonLoggerConfig(options: Omit<InitIOOptions, 'tty' | 'openStdin' | 'attach'>): LoggerConfig {
  const { config, namespace, id, log } = options;
  return {
    driver: log.driver,
    logPath: containerLogPath(config, namespace, id),
    maxSize: log.maxSize,
    maxFile: log.maxFile,
    ...(options.onExit ? { onExit: options.onExit, ...(options.restartMonitored ? { reapWhenDeleted: true } : {}) } : {}),
    pidFile: join(containerDirectory(config, namespace, id), 'logger.pid'),
    ...(options.proxies?.length ? { proxies: options.proxies } : {}),
  };
}

/**
 * The log URI containerd's restart monitor starts the container's next tasks with: berth's
 * logger again (binary://, no stdin, no terminal — the monitor gives a task neither), with a
 * config of its own so that nothing of one attached run (its socket, its FIFOs) carries over.
 */
export async function prepareRestartLogUri(options: Omit<InitIOOptions, 'tty' | 'openStdin' | 'attach'>): Promise<string> {
  const directory = containerDirectory(options.config, options.namespace, options.id);
  await mkdir(directory, { recursive: true });
  const configPath = join(directory, 'logger-restart.json');
  await writeFile(configPath, `${JSON.stringify(commonLoggerConfig({ ...options, restartMonitored: true }))}\n`);
  return loggerUri(configPath);
}

export interface ExecIOOptions {
  readonly config: BerthConfig;
  readonly id: string;
  readonly execId: string;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly attach: boolean;
}

/**
 * IO for an exec: FIFOs berth reads itself (Docker does not log exec output). A detached exec
 * (`-d`) gets none. The shim opens exec FIFOs at Tasks.Start, so `ready` is resolved at once.
 */
export async function prepareExecIO(options: ExecIOOptions): Promise<TaskIO> {
  const { config, execId, tty, openStdin, attach } = options;
  if (!attach) return { stdin: '', stdout: '', stderr: '', release: async () => undefined, abort: async () => undefined };
  const parent = join(stateDirectory(config), 'fifo');
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const directory = await mkdtemp(join(parent, `${options.id.slice(0, 12)}-`));
  const paths = {
    stdin: openStdin ? join(directory, `${execId}-stdin`) : '',
    stdout: join(directory, `${execId}-stdout`),
    stderr: tty ? '' : join(directory, `${execId}-stderr`),
  };
  try {
    await makeFifos(Object.values(paths).filter((path) => path !== ''));
    let stdinSocket: Socket | undefined;
    if (openStdin) {
      stdinSocket = new Socket({ fd: await openRaw(paths.stdin, constants.O_RDWR | constants.O_NONBLOCK), readable: false, writable: true });
      stdinSocket.on('error', () => undefined);
    }
    const output = new OutputRelay();
    const pendingOpens = new Set<string>();
    const readers: Socket[] = [];
    let closed = false;
    const streams = [['stdout', paths.stdout], ['stderr', paths.stderr]].filter(([, path]) => path !== '') as Array<[LogStream, string]>;
    let remaining = streams.length;
    const done = new Promise<void>((resolve) => {
      for (const [stream, path] of streams) {
        pendingOpens.add(path);
        // blocks (in libuv's threadpool) until the shim opens the write end at Tasks.Start
        openRaw(path, constants.O_RDONLY).then(
          (fd) => {
            pendingOpens.delete(path);
            const socket = new Socket({ fd, readable: true, writable: false });
            readers.push(socket);
            if (closed) socket.destroy();
            socket.on('data', (chunk: Buffer) => output.emit(stream, chunk));
            socket.on('close', () => {
              if (--remaining === 0) resolve();
            });
            socket.on('error', () => undefined);
          },
          () => {
            pendingOpens.delete(path);
            if (--remaining === 0) resolve();
          },
        );
      }
    });
    let detachDone: () => void = () => undefined;
    const detached = new Promise<void>((resolve) => (detachDone = resolve));
    const stopReading = async () => {
      closed = true;
      // a threadpool thread stuck in a FIFO open would hang process.exit: open the other end to free it
      for (const path of pendingOpens) {
        await openRaw(path, constants.O_WRONLY | constants.O_NONBLOCK).then((fd) => closeSync(fd), () => undefined);
      }
      for (const socket of readers) socket.destroy();
    };
    const release = async () => {
      stdinSocket?.destroy();
      await stopReading();
      await rm(directory, { recursive: true, force: true });
    };
    return {
      ...paths,
      attached: {
        stdinWriter: stdinSocket,
        closeStdin: () => endQuietly(stdinSocket),
        onOutput: (handler) => output.setHandler(handler),
        ready: Promise.resolve(),
        done: Promise.race([done, detached]),
        processExited: () => undefined,
        detach() {
          detachDone();
          stdinSocket?.destroy();
          void stopReading();
        },
      },
      release,
      abort: release,
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** The logger's socket for later attachments: one per container directory (data root, namespace, ID). */
function watcherSocketName(directory: string): string {
  return `\0berth-logger-${createHash('sha256').update(directory).digest('hex').slice(0, 32)}`;
}

export interface RunningAttachOptions {
  readonly config: BerthConfig;
  readonly namespace: string;
  readonly id: string;
  /** write to the container's stdin FIFO (it was started with `-i`) */
  readonly stdin: boolean;
}

/**
 * `attach`: the running container's logger sends its output from now on; stdin goes to the
 * FIFO the shim reads (the logger holds it open, so our going away is no EOF for the container).
 */
export async function attachRunning(options: RunningAttachOptions): Promise<AttachedIO> {
  const directory = containerDirectory(options.config, options.namespace, options.id);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const connection = createConnection({ path: watcherSocketName(directory) });
    connection.once('connect', () => resolve(connection));
    connection.once('error', (error) =>
      reject(new BerthError('failed-precondition', `cannot attach to container ${options.id}: its log driver takes no attachments (${error.message}); restart the container`, { cause: error })),
    );
  });
  socket.on('error', () => undefined);
  let stdinSocket: Socket | undefined;
  if (options.stdin) {
    try {
      stdinSocket = new Socket({ fd: await openRaw(join(directory, 'stdin'), constants.O_WRONLY | constants.O_NONBLOCK), readable: false, writable: true });
      stdinSocket.on('error', () => undefined);
    } catch (error) {
      socket.destroy();
      throw new BerthError('failed-precondition', `cannot attach to the stdin of container ${options.id}: ${(error as Error).message}`, { cause: error });
    }
  }
  const output = new OutputRelay();
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) output.emit(frame.stream, frame.data);
  });
  const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    stdinWriter: stdinSocket,
    closeStdin: () => endQuietly(stdinSocket),
    onOutput: (handler) => output.setHandler(handler),
    ready: Promise.resolve(),
    done,
    processExited: () => undefined,
    detach() {
      socket.destroy();
      stdinSocket?.destroy();
    },
  };
}

/** A plain fd for a net.Socket to own (a FileHandle would close it again when collected). */
function openRaw(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => openFd(path, flags, (error, fd) => (error ? reject(error) : resolve(fd))));
}

/** Node has no mkfifo(3). */
async function makeFifos(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await Promise.all(paths.map((path) => rm(path, { force: true })));
  try {
    await promisify(childProcess().execFile)('mkfifo', ['-m', '0600', ...paths]);
  } catch (error) {
    throw new BerthError('internal', `creating the container's stdio FIFOs: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`, { cause: error });
  }
}

interface Attachment {
  readonly server: Server;
  readonly name: string;
  readonly connection: Promise<Socket>;
}

/** A fresh abstract socket (no file to clean up, no path length limit) the logger connects to. */
async function listenForLogger(id: string): Promise<Attachment> {
  const name = `\0berth-attach-${id.slice(0, 12)}-${randomBytes(6).toString('hex')}`;
  // half-open: the logger's end of output is not the end of the connection (LoggerConfig.attachReaps)
  const server = createServer({ allowHalfOpen: true });
  let accept: (socket: Socket) => void = () => undefined;
  const connection = new Promise<Socket>((resolve) => (accept = resolve));
  server.on('connection', (socket) => {
    accept(socket);
    server.close(); // one logger per attachment
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => resolve());
  });
  server.on('error', () => undefined);
  server.unref();
  return { server, name, connection };
}

/** `exitEndsOutput`: the logger reads the container's own pipes (binary:// mode without a terminal), so after the exit they hold all there is */
function attachedInit(attachment: Attachment, stdinSocket: Socket | undefined, directory: string, exitEndsOutput: boolean): AttachedIO {
  const output = new OutputRelay();
  let socket: Socket | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let readyPromise: Promise<void> | undefined;
  let detached = false;
  let exited = false;
  void attachment.connection.then((connection) => {
    socket = connection;
    if (detached) {
      connection.destroy();
      return;
    }
    const decoder = new FrameDecoder();
    connection.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) output.emit(frame.stream, frame.data);
    });
    connection.on('error', () => undefined);
    connection.on('end', () => finished());
    connection.on('close', () => finished());
    if (exited) connection.write(EXITED);
  });
  return {
    stdinWriter: stdinSocket,
    closeStdin: () => endQuietly(stdinSocket),
    onOutput: (handler) => output.setHandler(handler),
    processExited() {
      if (!exitEndsOutput) return;
      exited = true;
      if (socket && !socket.destroyed) socket.write(EXITED);
    },
    get ready() {
      readyPromise ??= new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new BerthError('internal', `berth's log driver (${loggerPaths().wrapper}) did not start within ${READY_TIMEOUT_MS / 1000} s; see ${join(directory, 'logger.err')}`));
        }, READY_TIMEOUT_MS);
        void attachment.connection.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return readyPromise;
    },
    done,
    detach() {
      detached = true;
      attachment.server.close();
      socket?.destroy();
      stdinSocket?.destroy();
      finished();
    },
  };
}

/** Holds output until the caller's handler is there, then passes it straight through. */
class OutputRelay {
  private handler?: (stream: LogStream, chunk: Buffer) => void;
  private held: Array<[LogStream, Buffer]> = [];

  emit(stream: LogStream, chunk: Buffer): void {
    if (this.handler) this.handler(stream, chunk);
    else this.held.push([stream, chunk]);
  }

  setHandler(handler: (stream: LogStream, chunk: Buffer) => void): void {
    this.handler = handler;
    const held = this.held;
    this.held = [];
    for (const [stream, chunk] of held) handler(stream, chunk);
  }
}

function endQuietly(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  // a FIFO has no shutdown(2): the fd is closed once what was written is flushed
  socket.end(() => socket.destroy());
  socket.once('error', () => socket.destroy());
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

async function waitForFile(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
