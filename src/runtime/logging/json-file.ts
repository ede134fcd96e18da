// Docker's json-file log format, written the way Docker's json-file driver writes it: one JSON
// object per line of output, the `\n` kept in "log", a line longer than Docker's 16 KiB buffer
// cut into entries of its own, and max-size/max-file rotation (`<log>.1`, `<log>.2` …).
// Imported by the logger process: node built-ins only, synchronous writes (an entry is on
// disk before the next chunk is read, so nothing is lost when the container or berth dies).

import { closeSync, fstatSync, mkdirSync, openSync, renameSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogStream = 'stdout' | 'stderr';

/** Docker's copier buffer: a line that fills it without a newline is logged as a partial entry. */
export const MAX_LINE_BYTES = 16 * 1024;

export interface JsonFileOptions {
  readonly path: string;
  /** bytes; 0 = never rotate */
  readonly maxSize: number;
  /** files kept, the current one included (≥ 1); 1 truncates instead of rotating */
  readonly maxFile: number;
}

// Go's encoder escapes these in strings; JSON.stringify does not.
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function encodeEntry(line: Buffer, stream: LogStream, time: string): string {
  const log = JSON.stringify(line.toString('utf8')).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
  return `{"log":${log},"stream":"${stream}","time":"${time}"}\n`;
}

/** Nanosecond wall clock (Date has milliseconds only): the hrtime offset from one Date reading. */
export function nanoClock(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return () => base + process.hrtime.bigint();
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, no fraction when zero. */
export function formatRfc3339Nano(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return fraction === '' ? `${iso}Z` : `${iso}.${fraction}Z`;
}

/** Splits each stream's output into lines (per stream: a partial stdout line waits for its end). */
export class LineSplitter {
  private readonly pending: Record<LogStream, Buffer | undefined> = { stdout: undefined, stderr: undefined };

  /** Complete lines (with their `\n`) and full 16 KiB partials of this chunk, in order. */
  push(stream: LogStream, chunk: Buffer): Buffer[] {
    const held = this.pending[stream];
    let data = held ? Buffer.concat([held, chunk]) : chunk;
    const lines: Buffer[] = [];
    for (;;) {
      const newline = data.indexOf(10);
      if (newline !== -1 && newline < MAX_LINE_BYTES) {
        lines.push(data.subarray(0, newline + 1));
        data = data.subarray(newline + 1);
      } else if (data.length >= MAX_LINE_BYTES) {
        lines.push(data.subarray(0, MAX_LINE_BYTES));
        data = data.subarray(MAX_LINE_BYTES);
      } else {
        break;
      }
    }
    // copy: the chunk's memory is the stream's, and a small rest must not pin a 64 KiB read
    this.pending[stream] = data.length > 0 ? Buffer.from(data) : undefined;
    return lines;
  }

  /** What is left without a newline (at the end of the output). */
  flush(stream: LogStream): Buffer | undefined {
    const rest = this.pending[stream];
    this.pending[stream] = undefined;
    return rest;
  }
}

export class JsonFileWriter {
  private readonly splitter = new LineSplitter();
  private fd: number;
  private size: number;

  constructor(
    private readonly options: JsonFileOptions,
    private readonly now: () => string = (() => {
      const clock = nanoClock();
      return () => formatRfc3339Nano(clock());
    })(),
  ) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.fd = openSync(options.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  write(stream: LogStream, chunk: Buffer): void {
    this.writeLines(stream, this.splitter.push(stream, chunk));
  }

  /** Partial lines still held become entries of their own: the output has ended. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.splitter.flush(stream);
      if (rest) this.writeLines(stream, [rest]);
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private writeLines(stream: LogStream, lines: Buffer[]): void {
    if (lines.length === 0) return;
    const time = this.now();
    let batch = '';
    for (const line of lines) {
      // Docker checks the size before each entry: a file may pass max-size by one entry.
      if (this.options.maxSize > 0 && this.size >= this.options.maxSize) {
        this.append(batch);
        batch = '';
        this.rotate();
      }
      const entry = encodeEntry(line, stream, time);
      batch += entry;
      this.size += Buffer.byteLength(entry);
    }
    this.append(batch);
  }

  private append(text: string): void {
    if (text === '') return;
    const bytes = Buffer.from(text);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }

  private rotate(): void {
    const { path, maxFile } = this.options;
    if (maxFile <= 1) {
      ftruncateSync(this.fd, 0); // 'a' mode: the next write lands at the new end, offset 0
    } else {
      closeSync(this.fd);
      for (let index = maxFile - 1; index > 1; index--) {
        try {
          renameSync(`${path}.${index - 1}`, `${path}.${index}`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      renameSync(path, `${path}.1`);
      this.fd = openSync(path, 'a', 0o640);
    }
    this.size = 0;
  }
}
