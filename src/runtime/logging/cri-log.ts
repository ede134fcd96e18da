// The CRI log format containerd's CRI plugin writes for Kubernetes' containers, one line per
// chunk of output: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`. `P` marks a partial line (a
// line longer than the plugin's buffer, cut without its newline); the line goes on in the
// stream's following lines up to one marked `F`.

import type { LogStream } from './json-file.js';
import { parseRfc3339Nano, type LogEntry, type LogFormat } from './read.js';

export interface CriLine {
  readonly time: bigint;
  readonly stream: LogStream;
  readonly partial: boolean;
  readonly text: string;
}

const LINE = /^(\S+) (stdout|stderr) ([PF])(?: (.*))?$/s;

/** One line of a CRI log; a torn or foreign line gives undefined. */
export function parseCriLine(line: string): CriLine | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const time = parseRfc3339Nano(match[1]);
  if (time === undefined) return undefined;
  return { time, stream: match[2] as LogStream, partial: match[3] === 'P', text: match[4] ?? '' };
}

/**
 * Lines in, whole entries out: a partial line is held (per stream, as the two streams interleave)
 * until its stream's final part, and the entry takes the time of its first part.
 */
export function criEntryParser(): (line: string) => LogEntry | undefined {
  const pending = new Map<LogStream, { time: bigint; text: string }>();
  return (line) => {
    const parsed = parseCriLine(line);
    if (!parsed) return undefined;
    const held = pending.get(parsed.stream);
    const time = held?.time ?? parsed.time;
    const text = (held?.text ?? '') + parsed.text;
    if (parsed.partial) {
      pending.set(parsed.stream, { time, text });
      return undefined;
    }
    pending.delete(parsed.stream);
    return { log: `${text}\n`, stream: parsed.stream, time };
  };
}

export const CRI_LOG_FORMAT: LogFormat = {
  parser: criEntryParser,
  endsEntry: (line) => parseCriLine(line)?.partial === false,
};
