// Asking the user at the terminal: a line read in raw mode, so that a password is never
// echoed, and stdin read whole for --password-stdin. Prompts go to stderr: stdout is data.

import type { ReadStream } from 'node:tty';
import { BerthError } from '../errors.js';
import type { KnownCredentials, UsernameAndPassword } from '../image/registry/login.js';

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);
/** Cursor keys and the like: escape sequences that are not text. */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g;

export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/** All of stdin as text, as `--password-stdin` takes it: one trailing newline (LF or CRLF) is dropped. */
export async function readStdinSecret(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '').replace(/\r$/, '');
}

/** Asks for the user name and password the command line did not give, as `docker login` does. */
export async function askCredentials(known: KnownCredentials): Promise<UsernameAndPassword> {
  let username = known.username;
  if (username === undefined) {
    const answer = await promptLine(known.defaultUsername ? `Username (${known.defaultUsername}): ` : 'Username: ', { echo: true });
    username = answer.trim() || known.defaultUsername || '';
  }
  const password = known.password ?? (await promptLine('Password: ', { echo: false }));
  return { username, password };
}

/**
 * Reads one line from the terminal. Backspace and Ctrl-U edit it; Ctrl-C gives up with exit
 * code 130, as an interrupt would (raw mode turns Ctrl-C into a character, not a signal).
 */
export function promptLine(question: string, options: { echo: boolean }): Promise<string> {
  const input = process.stdin as ReadStream;
  const output = process.stderr;
  output.write(question);
  return new Promise((resolve, reject) => {
    let line: string[] = [];
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk.replace(ESCAPE_SEQUENCE, '')) {
        if (ENTER.has(char) || (char === CTRL_D && line.length === 0)) return finish(() => resolve(line.join('')));
        if (char === CTRL_C) return finish(() => reject(new BerthError('canceled', '', { exitCode: 130 })));
        if (BACKSPACE.has(char)) {
          if (line.length > 0 && options.echo) output.write('\b \b');
          line = line.slice(0, -1);
        } else if (char === CTRL_U) {
          if (options.echo) output.write('\b \b'.repeat(line.length));
          line = [];
        } else if (char >= ' ') {
          line.push(char);
          if (options.echo) output.write(char);
        }
      }
    };
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
