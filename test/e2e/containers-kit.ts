// What the container e2e tests share: a fresh namespace with the fixture pulled, berth on a
// pseudo-terminal (script(1)), berth in the background, polling, HTTP GETs, and berth's state paths.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, realpath } from 'node:fs/promises';
import { get } from 'node:http';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { berth, inFreshNamespace, world, type BerthOptions, type Result } from './harness.js';
import { runProcess } from '../world/world.js';

const BERTH_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export type Berth = (args: string[], options?: BerthOptions) => Promise<Result>;

export interface Scene {
  namespace: string;
  /** berth with `-n namespace` */
  b: Berth;
  /** the `single` fixture's reference (Cmd `sh`, busybox applets on PATH), pulled into the namespace */
  img: string;
}

/**
 * Runs `work` in a fresh namespace with the `single` fixture pulled (and `multi` too when asked),
 * so that `run` prints nothing about pulling; the namespace is emptied afterwards whatever happens.
 */
export async function scene(work: (scene: Scene) => Promise<void>, options: { multi?: boolean } = {}): Promise<void> {
  await inFreshNamespace('ctr', async (namespace) => {
    const b: Berth = (args, opts) => berth(['-n', namespace, ...args], opts);
    const { single, multi } = world().fixtures;
    for (const ref of options.multi ? [single.ref, multi.ref] : [single.ref]) {
      const pulled = await b(['pull', '-q', ref]);
      assert.equal(pulled.code, 0, `pull ${ref}: ${pulled.stderr}`);
    }
    await work({ namespace, b, img: single.ref });
  });
}

/** The environment berth runs with in the tests, for processes started other than through `berth()`. */
export function berthEnv(): NodeJS.ProcessEnv {
  const w = world();
  return { ...process.env, CONTAINERD_ADDRESS: w.address, BERTH_TOML: w.berthToml, DOCKER_CONFIG: w.dockerConfig, NO_COLOR: '1' };
}

/** Resolves once `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
    await sleep(intervalMs);
  }
}

/** Lines of a command's output, without the empty last one. */
export const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

/** berth's state directory for the world's containerd: data root + the address key (see stateDirectory). */
export async function stateDirectory(): Promise<string> {
  const w = world();
  const socket = await realpath(w.address).catch(() => w.address);
  return join(w.dataRoot, createHash('sha256').update(socket).digest('hex').slice(0, 8));
}

/** Entries of berth's per-container directory for `namespace` (empty when there is none). */
export async function containerDirectories(namespace: string): Promise<string[]> {
  return readdir(join(await stateDirectory(), 'containers', namespace)).catch(() => []);
}

/** `ctr snapshots ls` rows of kind Active: a container's writable layers (an image's are Committed). */
export async function activeSnapshots(namespace: string): Promise<string[]> {
  const listed = await runProcess('ctr', ['--address', world().address, '-n', namespace, 'snapshots', 'ls']);
  return lines(listed.stdout)
    .slice(1)
    .filter((line) => /\sActive\s*$/.test(line));
}

/** Quotes for sh. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** berth started in the background with pipes, its output collected as it comes. */
export class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--', BERTH_BIN, ...args], { env: berthEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        this.ended = code ?? 128 + (signal ? constants.signals[signal] : 0);
        resolve(this.ended);
      }),
    );
  }

  /** set once berth has exited */
  ended: number | undefined;

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const seen = async () => {
      if (pattern.test(this.stdout)) return true;
      if (this.ended !== undefined) throw new Error(`berth ended (${this.ended}) before ${pattern} showed\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`);
      return false;
    };
    await eventually(() => `${pattern} in berth's output\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`, seen, timeoutMs, 50);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.ended === undefined) this.child.kill(signal);
  }
}

/**
 * berth on a pseudo-terminal of its own, made by util-linux `script`: berth is the session
 * leader with the terminal as its controlling tty, as under a person's shell. What is written
 * goes to the terminal's input (keys); `output` is what the terminal showed, `\r\n` and all.
 */
export class Terminal {
  output = '';
  /** berth's process ID (the shell `script` started execs berth) */
  pid = 0;
  /** the terminal's device, e.g. /dev/pts/7 */
  device = '';
  /** berth's exit code (script -e passes it on; 137 after SIGKILL) */
  readonly exited: Promise<number>;
  /** set once script has exited */
  ended: number | undefined;
  private readonly child: ChildProcess;

  private constructor(argv: string[], size: { cols: number; rows: number }) {
    const command = `stty cols ${size.cols} rows ${size.rows} && echo "@@terminal $(tty) $$" && exec ${argv.map(shellQuote).join(' ')}`;
    // stdin stays open: script ends the session when its input ends.
    this.child = spawn('script', ['-qfec', command, '/dev/null'], { env: berthEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) =>
      // 'close', not 'exit': by then all of the output has arrived.
      this.child.once('close', (code, signal) => {
        this.ended = code ?? (signal ? 128 + 9 : 0);
        resolve(this.ended);
      }),
    );
  }

  /**
   * Starts `berth ARGS` on a terminal of `cols`×`rows` (or `program` instead of berth, to try
   * the terminal itself); resolves once the program is about to start.
   */
  static async open(args: string[], size = { cols: 80, rows: 24 }, program = [process.execPath, BERTH_BIN]): Promise<Terminal> {
    const terminal = new Terminal([...program, ...args], size);
    const match = await eventually(
      `the terminal to start\n${terminal.output}`,
      async () => /@@terminal (\/dev\/pts\/\d+) (\d+)/.exec(terminal.output) ?? undefined,
      10_000,
      20,
    );
    terminal.device = match[1];
    terminal.pid = Number(match[2]);
    return terminal;
  }

  /** Output after the start marker: what berth and the container showed. */
  get shown(): string {
    return this.output.replace(/^[\s\S]*?@@terminal \S+ \d+\r?\n/, '');
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const seen = async () => {
      if (pattern.test(this.shown)) return true;
      if (this.ended !== undefined) throw new Error(`berth ended (${this.ended}) before ${pattern} showed\n--- terminal ---\n${JSON.stringify(this.shown)}`);
      return false;
    };
    await eventually(() => `${pattern} on the terminal\n--- terminal ---\n${JSON.stringify(this.shown)}`, seen, timeoutMs, 50);
  }

  /** Types `keys` on the terminal. */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Resizes the terminal, as a terminal emulator does: the kernel sends SIGWINCH to its foreground process group. */
  async resize(cols: number, rows: number): Promise<void> {
    const resized = await runProcess('stty', ['-F', this.device, 'cols', String(cols), 'rows', String(rows)]);
    assert.equal(resized.code, 0, resized.stderr);
  }

  /** Waits for berth to end, at most `timeoutMs`. */
  async exit(timeoutMs = 15_000): Promise<number> {
    const timeout = sleep(timeoutMs, 'timeout' as const);
    const code = await Promise.race([this.exited, timeout]);
    if (code === 'timeout') throw new Error(`berth did not exit within ${timeoutMs} ms\n--- terminal ---\n${JSON.stringify(this.shown)}`);
    return code;
  }

  /** Ends whatever is left: berth (by its pid) and script. */
  close(): void {
    try {
      if (this.pid) process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    this.child.stdin!.end();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs `work` with a terminal, closed afterwards whatever happens. */
export async function onTerminal(args: string[], work: (terminal: Terminal) => Promise<void>, size?: { cols: number; rows: number }): Promise<void> {
  const terminal = await Terminal.open(args, size);
  try {
    await work(terminal);
  } finally {
    terminal.close();
  }
}

/** Number of lines in `berth logs NAME`. */
export async function logLineCount(b: Berth, name: string): Promise<number> {
  const logs = await b(['logs', name]);
  assert.equal(logs.code, 0, logs.stderr);
  return lines(logs.stdout).length;
}

/** A loop that prints `tick N` every 0.2 s: a container that keeps logging. */
export const TICKER = ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'];

/** A shell that prints `got TERM` and exits 0 on SIGTERM, and `ready` once its trap is set. */
export const TERM_TRAP = ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done'];

/** The body of a GET (to 127.0.0.1 or a container on berth's bridge), or undefined when nothing answers (yet). */
export function fetchText(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 2000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve(body));
    });
    request.on('error', () => resolve(undefined));
    request.on('timeout', () => request.destroy());
  });
}
