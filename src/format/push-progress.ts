// Push progress as Docker shows it, on stderr: the repository first, then on a terminal one
// line per layer updated in place, on a pipe one plain line per event; nothing with -q.

import type { PushLayerEvent, PushProgress } from '../image/push.js';
import type { Reference } from '../image/reference.js';
import { shortLayerId as shortId, terminalLayerLines } from './layer-lines.js';

const EVENT_TEXT: Readonly<Record<PushLayerEvent, string>> = {
  preparing: 'Preparing',
  waiting: 'Waiting',
  pushing: 'Pushing',
  pushed: 'Pushed',
  'already-exists': 'Layer already exists',
};

export interface RenderedPushProgress extends PushProgress {
  /** `The push refers to repository [host/path]`, once per command as Docker prints it */
  start(reference: Reference): void;
  /** a remark for the user (platform notes), on its own line */
  note(text: string): void;
  /** Draws the layer lines a last time; the next tag's layers start below them. */
  finish(): void;
}

export function quietPushProgress(): RenderedPushProgress {
  return { start() {}, layer() {}, note() {}, finish() {} };
}

export function plainPushProgress(output: NodeJS.WritableStream): RenderedPushProgress {
  return {
    start(reference) {
      output.write(`The push refers to repository [${reference.name}]\n`);
    },
    layer(digest, event) {
      if (event !== 'pushing') output.write(`${shortId(digest)}: ${EVENT_TEXT[event]}\n`);
    },
    note(text) {
      output.write(`${text}\n`);
    },
    finish() {},
  };
}

export function terminalPushProgress(output: NodeJS.WritableStream): RenderedPushProgress {
  const lines = terminalLayerLines(output);
  return {
    start(reference) {
      output.write(`The push refers to repository [${reference.name}]\n`);
    },
    layer(digest, event, current, total) {
      lines.set(digest, EVENT_TEXT[event], event === 'pushing' ? { current, total } : undefined, event !== 'pushing');
    },
    note(text) {
      output.write(`${text}\n`);
    },
    // With --all-tags the next tag lists its layers afresh, below this tag's closing line.
    finish: () => lines.reset(),
  };
}
