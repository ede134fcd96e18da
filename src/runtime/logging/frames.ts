// The logger → attached berth stream: frames of [stream id (1 stdout, 2 stderr), length (u32 BE), data],
// forwarded raw as the container writes, so a foreground run shows output with no lag.

import type { LogStream } from './json-file.js';

export const FRAME_HEADER_BYTES = 5;

export function encodeFrame(stream: LogStream, data: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + data.length);
  frame[0] = stream === 'stdout' ? 1 : 2;
  frame.writeUInt32BE(data.length, 1);
  data.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Reassembles frames from a byte stream cut anywhere. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: LogStream; data: Buffer }> {
    let data = this.buffered.length > 0 ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Array<{ stream: LogStream; data: Buffer }> = [];
    while (data.length >= FRAME_HEADER_BYTES) {
      const length = data.readUInt32BE(1);
      if (data.length < FRAME_HEADER_BYTES + length) break;
      const id = data[0];
      if (id !== 1 && id !== 2) throw new Error(`logger sent a frame for stream ${id}`);
      frames.push({ stream: id === 1 ? 'stdout' : 'stderr', data: data.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length) });
      data = data.subarray(FRAME_HEADER_BYTES + length);
    }
    this.buffered = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
    return frames;
  }

  /** Bytes of an incomplete frame still held (non-zero at the end means the logger died mid-frame). */
  get pendingBytes(): number {
    return this.buffered.length;
  }
}
