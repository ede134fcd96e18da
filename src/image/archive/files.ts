// Where archives come from and go to: a file named by the user, or stdin/stdout. A file being
// written appears under its name only once it is complete, as with Docker's `save -o`.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BerthError } from '../../errors.js';

/** A file to read, or a stream (stdin) that is already open. */
export type ArchiveSource = { readonly file: string } | { readonly stream: Readable };
/** A file to create (or replace), or a stream (stdout) to write to. */
export type ArchiveDestination = { readonly file: string } | { readonly stream: Writable };

export async function openSource(source: ArchiveSource): Promise<Readable> {
  if ('stream' in source) return source.stream;
  try {
    const handle = await open(source.file, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return handle.createReadStream();
  } catch (error) {
    throw fileError(`open ${source.file}`, error);
  }
}

export interface OpenDestination {
  readonly stream: Writable;
  /** Everything is written: flush, and give a file its name. */
  commit(): Promise<void>;
  /** Something failed: leave no partial file behind. */
  discard(): Promise<void>;
}

export async function openDestination(destination: ArchiveDestination): Promise<OpenDestination> {
  if ('stream' in destination) {
    const { stream } = destination;
    return {
      stream,
      // stdout is not ended (Node keeps it open for the process); waiting for an empty write
      // to be flushed means everything before it is flushed too.
      commit: () => new Promise<void>((resolve, reject) => stream.write('', (error) => (error ? reject(error) : resolve()))),
      discard: async () => undefined,
    };
  }
  const target = destination.file;
  const directory = dirname(target);
  const isDirectory = await stat(directory).then((info) => info.isDirectory(), () => false);
  if (!isDirectory) throw new BerthError('invalid-argument', `invalid output path: directory "${directory}" does not exist`);
  const temporary = join(directory, `.${basename(target)}.berth-${randomBytes(4).toString('hex')}`);
  const stream = createWriteStream(temporary, { flags: 'wx' });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw fileError(`create ${target}`, error);
  }
  return {
    stream,
    commit: async () => {
      stream.end();
      await once(stream, 'close');
      await rename(temporary, target).catch((error: unknown) => {
        throw fileError(`rename to ${target}`, error);
      });
    },
    discard: async () => {
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

function fileError(context: string, error: unknown): BerthError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  const category = code === 'ENOENT' ? 'not-found' : code === 'EACCES' ? 'permission-denied' : 'invalid-argument';
  return new BerthError(category, `${context}: ${reason}`, { cause: error });
}
