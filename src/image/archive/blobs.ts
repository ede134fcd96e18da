// Writing one blob of an archive into the content store, the same way for load and import.

import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { withContext } from '../../errors.js';
import type { BlobTarget, ImageStore, OpenSource } from '../store.js';

/**
 * Writes `target` from `open`, or labels the blob that is already there. `what` names the source
 * in errors. A failed write's ingest is dropped: the sources here are streams, read once, so it
 * could never be resumed.
 */
export async function putBlob(store: ImageStore, target: BlobTarget, open: OpenSource, what: string): Promise<void> {
  try {
    const outcome = await store.writeBlob(target, open);
    if (outcome === 'exists' && target.labels) await store.setBlobLabels(target.digest, target.labels, target.lease);
  } catch (error) {
    await store.abortIngest(target.ref).catch(() => undefined);
    throw withContext(what, error);
  }
}

export function bytesSource(bytes: Buffer): OpenSource {
  return async () => ({
    stream: (async function* () {
      yield bytes;
    })(),
    resumed: false,
  });
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Passes bytes through unchanged, hashing and counting them on the way. */
export class DigestingStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  /** The sha256 digest of everything that passed; call once, after the stream has finished. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
