// Writing a tar stream entry by entry, each file's bytes streamed from wherever they come from
// (a blob in containerd's content store), honouring the destination's backpressure.

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Header, Pax } from 'tar';
import { BerthError } from '../../errors.js';

const BLOCK = 512;
/** Every entry's mtime: the same images give the same archive, byte for byte. */
const MTIME = new Date(0);

export class TarWriter {
  private failure: Error | undefined;

  constructor(private readonly out: Writable) {
    // A reader that goes away (EPIPE) must fail the save, not crash the process.
    out.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  async directory(path: string): Promise<void> {
    await this.header({ path: `${path}/`, type: 'Directory', mode: 0o755, size: 0 });
  }

  async file(path: string, bytes: Buffer): Promise<void> {
    await this.stream(path, bytes.length, [bytes]);
  }

  /** Writes `size` bytes from `body` as the file `path`; a body of another length is an error. */
  async stream(path: string, size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    await this.header({ path, type: 'File', mode: 0o644, size });
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > size) break;
      await this.write(chunk);
    }
    if (written !== size) throw new BerthError('internal', `writing ${path} to the archive: expected ${size} bytes, read ${written}`);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (padding > 0) await this.write(Buffer.alloc(padding));
  }

  /** The two zero blocks that end a tar archive. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
  }

  private async header(fields: { path: string; type: 'File' | 'Directory'; mode: number; size: number }): Promise<void> {
    const data = { ...fields, uid: 0, gid: 0, uname: '', gname: '', mtime: MTIME };
    const header = new Header(data);
    header.encode();
    // Paths longer than ustar holds and files of 8 GiB or more need a PAX record first.
    if (header.needPax) await this.write(new Pax(data).encode());
    await this.write(header.block as Buffer);
  }

  private async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
