// containerd's content store: blobs streamed in with Content.Write (resumable by ref,
// verified by digest and size), read back, and labelled for the garbage collector.

import { BerthError } from '../../errors.js';
import type { BlobInfo, BlobTarget, OpenSource } from '../../image/store.js';
import type { ContainerdClient } from './client.js';
import { fromGrpcError } from './errors.js';
import type { EncodedParts, WireStatusError } from './wire-stream.js';

const CHUNK_SIZE = 1 << 20; // what containerd's own client sends; measured: 4 MiB cost more CPU and ~60 MB more at the peak
const IN_FLIGHT = 2; // messages per blob handed to HTTP/2 and not yet sent; 4 was no faster and held ~30 MB more
const ALREADY_EXISTS = 6;
const UNAVAILABLE = 14;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

const WRITE_ACTION = 1;

/**
 * Builds WRITE messages (fields 1 action, 5 offset, 6 data of containerd's WriteContentRequest)
 * from the network's chunks without copying them: a message is a small hand-encoded header
 * followed by the chunks themselves (the last one cut with subarray), sent as they are.
 * (Gathering them into one buffer, then letting grpc-js copy that again behind its prefix, was
 * most of berth's CPU on this path.)
 */
class DataMessages {
  private parts: Uint8Array[] = [];
  private filled = 0;

  constructor(private offset: number) {}

  /** Takes a chunk; returns the messages it completed. */
  add(chunk: Uint8Array): EncodedParts[] {
    const complete: EncodedParts[] = [];
    let rest = chunk;
    while (this.filled + rest.length >= CHUNK_SIZE) {
      const taken = CHUNK_SIZE - this.filled;
      this.parts.push(rest.subarray(0, taken));
      this.filled += taken;
      rest = rest.subarray(taken);
      complete.push(this.seal());
    }
    if (rest.length > 0) {
      this.parts.push(rest);
      this.filled += rest.length;
    }
    return complete;
  }

  /** The last, partial message, if any bytes are left. */
  rest(): EncodedParts | undefined {
    return this.filled > 0 ? this.seal() : undefined;
  }

  get nextOffset(): number {
    return this.offset;
  }

  private seal(): EncodedParts {
    const header = Buffer.from([0x08, WRITE_ACTION, 0x28, ...varint(this.offset), 0x32, ...varint(this.filled)]);
    const message = { parts: [header, ...this.parts], length: header.length + this.filled };
    this.offset += this.filled;
    this.parts = [];
    this.filled = 0;
    return message;
  }
}

interface WriteResponse {
  action: string;
  offset: string;
  digest: string;
}

export async function blobInfo(client: ContainerdClient, digest: string): Promise<BlobInfo | undefined> {
  try {
    const { info } = await client.unary<{ info: { digest: string; size: string; labels: Record<string, string> } }>('content', 'Info', { digest });
    return { digest: info.digest, size: Number(info.size), labels: info.labels };
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    throw error;
  }
}

export async function* readBlob(client: ContainerdClient, digest: string, offset = 0): AsyncGenerator<Buffer> {
  for await (const message of client.stream<{ data: Buffer }>('content', 'Read', { digest, offset: String(offset), size: '0' })) {
    yield message.data;
  }
}

export async function readBlobBytes(client: ContainerdClient, digest: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of readBlob(client, digest)) {
    size += chunk.length;
    if (size > limit) throw new BerthError('invalid-argument', `blob ${digest} is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function setBlobLabels(client: ContainerdClient, digest: string, labels: Readonly<Record<string, string>>, lease?: string): Promise<void> {
  const paths = Object.keys(labels).map((key) => `labels.${key}`);
  if (paths.length === 0) return;
  await client.unary('content', 'Update', { info: { digest, labels }, update_mask: { paths } }, { lease });
}

export async function abortIngest(client: ContainerdClient, ref: string): Promise<void> {
  try {
    await client.unary('content', 'Abort', { ref });
  } catch (error) {
    if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
  }
}

/**
 * Writes one blob. Returns 'exists' when containerd already had it. A ref that another writer
 * holds is retried with backoff, as containerd's own client does.
 */
export async function writeBlob(client: ContainerdClient, target: BlobTarget, open: OpenSource, onProgress?: (written: number) => void): Promise<'written' | 'exists'> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await writeOnce(client, target, open, onProgress);
    } catch (error) {
      const locked = error instanceof BerthError && error.category === 'unavailable' && /locked/.test(error.message);
      if (!locked || attempt >= 12) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 16 * 2 ** attempt) * Math.random()));
    }
  }
}

function writeOnce(client: ContainerdClient, target: BlobTarget, open: OpenSource, onProgress?: (written: number) => void): Promise<'written' | 'exists'> {
  const { call, serialize } = client.bidi('content', 'Write', { lease: target.lease });
  const responses: WriteResponse[] = [];
  let waiting: ((response: WriteResponse | undefined) => void) | undefined;
  let ended = false;
  let failure: WireStatusError | undefined;
  /** wakes a sender waiting for gRPC to flush (or for the stream to fail) */
  let flushed: (() => void) | undefined;

  return new Promise((resolve, reject) => {
    const next = () =>
      new Promise<WriteResponse | undefined>((resolveNext) => {
        const ready = responses.shift();
        if (ready || ended) resolveNext(ready);
        else waiting = resolveNext;
      });
    call.on('data', (response: WriteResponse) => {
      if (waiting) {
        const deliver = waiting;
        waiting = undefined;
        deliver(response);
      } else responses.push(response);
    });
    call.on('error', (error: WireStatusError) => {
      failure = error;
      ended = true;
      waiting?.(undefined);
      flushed?.();
    });
    call.on('end', () => {
      ended = true;
      waiting?.(undefined);
    });
    // At most IN_FLIGHT messages wait in gRPC's buffers per blob: enough to keep containerd
    // busy, little enough that a pull's memory does not grow with its layers' sizes.
    let inFlight = 0;
    const send = async (message: object | EncodedParts) => {
      while (inFlight >= IN_FLIGHT && !failure) await new Promise<void>((resolveFlush) => (flushed = resolveFlush));
      inFlight += 1;
      call.write('parts' in message ? (message as EncodedParts) : serialize(message), () => {
        inFlight -= 1;
        const wake = flushed;
        flushed = undefined;
        wake?.();
      });
    };

    const run = async (): Promise<'written' | 'exists'> => {
      await send({ action: 'STAT', ref: target.ref, total: String(target.size), expected: target.digest });
      const status = await next();
      if (!status) {
        if (failure?.code === ALREADY_EXISTS) return 'exists';
        throw failure ? fromGrpcError(failure, client.address) : new BerthError('internal', `writing ${target.digest}: containerd closed the stream`);
      }
      let offset = Number(status.offset);
      if (offset > target.size) offset = 0;
      if (offset < target.size) {
        const source = await open(offset);
        if (!source.resumed) offset = 0;
        // a first WRITE at offset 0 on a partly written ref tells containerd to start over
        const messages = new DataMessages(offset);
        const sendAll = async (batch: EncodedParts[]) => {
          for (const message of batch) await send(message);
          offset = messages.nextOffset;
          if (batch.length > 0) onProgress?.(offset);
        };
        for await (const chunk of source.stream) {
          await sendAll(messages.add(chunk));
          if (failure) break;
        }
        const last = messages.rest();
        if (last && !failure) await sendAll([last]);
      } else {
        onProgress?.(offset);
      }
      if (!failure) await send({ action: 'COMMIT', offset: String(offset), total: String(target.size), expected: target.digest, labels: target.labels ?? {} });
      call.end();
      // Drain every reply (containerd answers COMMIT twice); the stream's end or error decides.
      while (await next());
      if (failure) {
        if (failure.code === ALREADY_EXISTS) return 'exists';
        const error = fromGrpcError(failure, client.address);
        if (failure.code === UNAVAILABLE) throw error;
        throw new BerthError(error.category === 'failed-precondition' ? 'invalid-argument' : error.category, `writing ${target.digest}: ${error.message}`, { cause: failure });
      }
      return 'written';
    };
    run().then(resolve, (error) => {
      call.cancel();
      reject(error);
    });
  });
}
