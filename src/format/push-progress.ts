// Push progress as Docker shows it, on stderr: the repository first, then on a terminal one
// line per layer updated in place, on a pipe one plain line per event; nothing with -q.

import type { PushLayerEvent, PushProgress } from '../image/push.js';
import type { Reference } from '../image/reference.js';
import { humanSize } from './units.js';

const EVENT_TEXT: Readonly<Record<PushLayerEvent, string>> = {
  preparing: 'Preparing',
  waiting: 'Waiting',
  pushing: 'Pushing',
  pushed: 'Pushed',
  'already-exists': 'Layer already exists',
};

const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

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
  let order: string[] = [];
  const text = new Map<string, string>();
  let drawn = 0;
  let lastDraw = 0;

  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    let frame = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const id of order) frame += `\x1b[2K${id}: ${text.get(id)}\n`;
    output.write(frame);
    drawn = order.length;
  };

  return {
    start(reference) {
      output.write(`The push refers to repository [${reference.name}]\n`);
    },
    layer(digest, event, current, total) {
      const id = shortId(digest);
      if (!text.has(id)) order.push(id);
      const progress = event === 'pushing' && current !== undefined && total ? ` ${humanSize(current)}/${humanSize(total)}` : '';
      text.set(id, `${EVENT_TEXT[event]}${progress}`);
      draw(event !== 'pushing');
    },
    note(text) {
      output.write(`${text}\n`);
    },
    finish() {
      draw(true);
      // With --all-tags the next tag lists its layers afresh, below this tag's closing line.
      order = [];
      text.clear();
      drawn = 0;
    },
  };
}
