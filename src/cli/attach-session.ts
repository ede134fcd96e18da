// The terminal side of an attached container: output to our stdout/stderr, our stdin to the
// container (raw when it is a terminal), window sizes to ResizePty, the detach keys, and
// signals proxied to the container when it has no terminal (Docker's --sig-proxy).

import { constants } from 'node:os';
import type { AttachedIO } from '../runtime/logging/task-io.js';
import { childProcess } from '../lazy-node.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Docker's detach key grammar (validated by the flag parsers): the bytes to watch for. */
export { detachKeyCodes as parseDetachKeys } from '../runtime/create-options.js';

/** Signals a foreground berth passes on; the rest are berth's own business (Docker's list). */
const NOT_PROXIED = new Set(['SIGCHLD', 'SIGPIPE', 'SIGURG', 'SIGWINCH', 'SIGKILL', 'SIGSTOP', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGILL', 'SIGPROF', 'SIGVTALRM', 'SIGIO', 'SIGPOLL', 'SIGSYS', 'SIGUNUSED', 'SIGSTKFLT', 'SIGPWR', 'SIGINFO', 'SIGLOST', 'SIGBREAK', 'SIGTTIN', 'SIGTTOU']);

export interface AttachSessionOptions {
  readonly io: AttachedIO;
  readonly tty: boolean;
  /** feed our stdin to the container */
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly detachKeys: readonly number[];
  readonly sigProxy: boolean;
  readonly resize?: (columns: number, rows: number) => Promise<unknown>;
  readonly signal?: (signal: number) => Promise<unknown>;
  /**
   * Tasks.CloseIO: the shim keeps its own handle on the stdin FIFO, so our closing it is no EOF
   * for the process; containerd's CloseIO makes the shim close the process's stdin.
   */
  readonly stdinClosed?: () => Promise<unknown>;
}

export type AttachOutcome = 'ended' | 'detached';

/**
 * libuv's raw mode keeps ONLCR, so the container's own `\r\n` would reach the screen as
 * `\r\r\n`; Docker's raw mode (cfmakeraw) turns output processing off. Node offers no
 * termios call, so stty does it on the terminal that is our stdin.
 */
function withoutOutputProcessing(): void {
  try {
    childProcess().execFileSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  } catch {
    // no stty: output keeps the extra carriage returns, nothing worse
  }
}

/** Runs until the container's output ends or the user detaches; the terminal is restored after. */
export async function runAttachSession(options: AttachSessionOptions): Promise<AttachOutcome> {
  const { io } = options;
  const cleanups: (() => void)[] = [];
  let detach: () => void = () => undefined;
  const detached = new Promise<AttachOutcome>((resolve) => {
    detach = () => resolve('detached');
  });

  // raw before the first byte is shown: output that came before this session is replayed below
  if (options.stdin && options.tty && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    withoutOutputProcessing();
    // libuv restores the terminal it saved when raw mode was first asked for, output processing included
    cleanups.push(() => process.stdin.setRawMode(false));
  }

  io.onOutput((stream, chunk) => {
    if (stream === 'stdout' ? options.stdout : options.stderr) (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
  });

  if (options.stdin && io.stdinWriter) {
    const writer = io.stdinWriter;
    const input = process.stdin;
    const keys = options.tty ? options.detachKeys : [];
    let matched = 0;
    const onData = (chunk: Buffer) => {
      if (keys.length === 0) {
        writer.write(chunk);
        return;
      }
      const out: number[] = [];
      for (const byte of chunk) {
        if (byte === keys[matched]) {
          matched += 1;
          if (matched === keys.length) {
            if (out.length > 0) writer.write(Buffer.from(out));
            detach();
            return;
          }
          continue;
        }
        // a partial sequence that did not complete belongs to the container after all
        for (let index = 0; index < matched; index += 1) out.push(keys[index]);
        matched = 0;
        if (byte === keys[0]) matched = 1;
        else out.push(byte);
      }
      if (out.length > 0) writer.write(Buffer.from(out));
    };
    const onEnd = () => {
      if (options.tty) return;
      io.closeStdin();
      options.stdinClosed?.().catch(() => undefined);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
    cleanups.push(() => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
    });
  }

  if (options.tty && options.resize && process.stdout.isTTY) {
    const resize = options.resize;
    const send = () => {
      const { columns, rows } = process.stdout;
      if (columns && rows) resize(columns, rows).catch(() => undefined);
    };
    send();
    process.stdout.on('resize', send);
    cleanups.push(() => process.stdout.off('resize', send));
  }

  if (options.sigProxy && !options.tty && options.signal) {
    const forward = options.signal;
    for (const [name, number] of Object.entries(constants.signals)) {
      if (NOT_PROXIED.has(name)) continue;
      const handler = () => {
        forward(number).catch(() => undefined);
      };
      try {
        process.on(name as NodeJS.Signals, handler);
        cleanups.push(() => process.off(name as NodeJS.Signals, handler));
      } catch {
        // a signal Node cannot watch on this platform
      }
    }
  }

  try {
    const loggerFailed = io.ready.then(
      () => new Promise<never>(() => undefined),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        return 'ended' as const;
      },
    );
    return await Promise.race([io.done.then(() => 'ended' as const), detached, loggerFailed]);
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}
