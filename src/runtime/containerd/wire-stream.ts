// A bidirectional gRPC call spoken directly over node:http2, for Content.Write. grpc-js
// copies every message once more into a new buffer to put the 5-byte gRPC prefix in front;
// for a pull that is a second copy (and a fresh 1 MiB allocation) of every layer byte. Here
// a message is written as its parts (a small header, then the network's own chunks), so
// layer bytes go from the registry's socket to containerd's without being copied in JS.

import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';

/** What fromGrpcError reads from a grpc-js ServiceError. */
export interface WireStatusError extends Error {
  readonly code: number;
  readonly details: string;
}

/** A message already in protobuf form, given as parts that are sent back to back. */
export interface EncodedParts {
  readonly parts: readonly Uint8Array[];
  readonly length: number;
}

const INTERNAL = 13;
const UNAVAILABLE = 14;
const CANCELLED = 1;

function statusError(code: number, details: string): WireStatusError {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One HTTP/2 connection to containerd's socket, opened on first use. */
export class WireSession {
  private session?: http2.ClientHttp2Session;

  constructor(private readonly address: string) {}

  open(path: string, headers: Record<string, string>, decode: (bytes: Buffer) => unknown): WireCall {
    if (!this.session || this.session.closed || this.session.destroyed) {
      const session = http2.connect('http://localhost', { createConnection: () => net.connect(this.address) });
      // A failed connection also fails every stream on it; the streams report it.
      session.on('error', () => undefined);
      this.session = session;
    }
    const stream = this.session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    return new WireCall(stream, decode);
  }

  close(): void {
    this.session?.close();
  }
}

/**
 * Emits 'data' (each decoded reply), then 'end' after a status OK, or 'error' with a
 * WireStatusError (once, instead of 'end').
 */
export class WireCall extends EventEmitter {
  private pending: Buffer = Buffer.alloc(0);
  /** from the trailers (or the headers of a reply without messages); acted on once every message is read */
  private status?: { code: number; details: string };
  private finished = false;

  constructor(
    private readonly stream: http2.ClientHttp2Stream,
    private readonly decode: (bytes: Buffer) => unknown,
  ) {
    super();
    const keepStatus = (headers: http2.IncomingHttpHeaders) => {
      if (headers['grpc-status'] === undefined) return;
      const code = Number(headers['grpc-status']);
      this.status = { code: Number.isInteger(code) ? code : INTERNAL, details: decodeGrpcMessage(headers['grpc-message']) };
    };
    stream.on('response', (headers) => {
      if (headers[':status'] !== 200) this.finish(statusError(UNAVAILABLE, `containerd answered HTTP status ${headers[':status']}`));
      else keepStatus(headers);
    });
    stream.on('trailers', keepStatus);
    stream.on('data', (chunk: Buffer) => this.received(chunk));
    stream.on('end', () => this.settle());
    stream.on('error', (error: Error) => this.finish(statusError(UNAVAILABLE, error.message)));
    stream.on('close', () => this.settle());
  }

  /** `sent` runs once the message has been handed to the socket. */
  write(message: Buffer | EncodedParts, sent: () => void): void {
    const parts = Buffer.isBuffer(message) ? [message] : message.parts;
    const length = message.length;
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = 0;
    prefix.writeUInt32BE(length, 1);
    // Corked, the parts leave in one writev and the callback of the last one runs after all.
    this.stream.cork();
    this.stream.write(prefix);
    parts.forEach((part, index) => this.stream.write(part, index === parts.length - 1 ? () => sent() : undefined));
    if (parts.length === 0) this.stream.write(Buffer.alloc(0), () => sent());
    this.stream.uncork();
  }

  end(): void {
    this.stream.end();
  }

  cancel(): void {
    if (!this.stream.closed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private received(chunk: Buffer): void {
    let bytes = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (bytes.length >= 5) {
      const length = bytes.readUInt32BE(1);
      if (bytes.length < 5 + length) break;
      const message = bytes.subarray(5, 5 + length);
      bytes = bytes.subarray(5 + length);
      let decoded: unknown;
      try {
        decoded = this.decode(message);
      } catch (error) {
        this.finish(statusError(INTERNAL, `undecodable reply from containerd: ${(error as Error).message}`));
        this.cancel();
        return;
      }
      if (!this.finished) this.emit('data', decoded);
    }
    this.pending = bytes;
  }

  private settle(): void {
    if (this.finished) return;
    const status = this.status;
    if (status?.code === 0) {
      this.finished = true;
      this.emit('end');
    } else if (status) {
      this.finish(statusError(status.code, status.details));
    } else {
      const code = this.stream.rstCode === http2.constants.NGHTTP2_CANCEL ? CANCELLED : INTERNAL;
      this.finish(statusError(code, `containerd closed the stream without a status (HTTP/2 code ${this.stream.rstCode ?? 'none'})`));
    }
  }

  private finish(error: WireStatusError): void {
    if (this.finished) return;
    this.finished = true;
    this.emit('error', error);
  }
}
