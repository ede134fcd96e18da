// Pull progress as Docker shows it, on stderr: on a terminal one line per layer updated in
// place (and a spinner while the reference resolves); on a pipe one plain line per event;
// nothing with -q.

import type { LayerEvent, PullProgress } from '../image/pull.js';
import type { Reference } from '../image/reference.js';
import { humanSize } from './units.js';

const EVENT_TEXT: Readonly<Record<LayerEvent, string>> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  'download-complete': 'Download complete',
  extracting: 'Extracting',
  'pull-complete': 'Pull complete',
  'already-exists': 'Already exists',
};

const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export interface RenderedPullProgress extends PullProgress {
  /** Stops the spinner and leaves the layer lines as they are. */
  finish(): void;
}

export function quietPullProgress(): RenderedPullProgress {
  return { resolving() {}, resolved() {}, layer() {}, finish() {} };
}

export function plainPullProgress(output: NodeJS.WritableStream): RenderedPullProgress {
  return {
    resolving(reference: Reference) {
      output.write(`${reference.tag ?? reference.digest}: Pulling from ${reference.path}\n`);
    },
    resolved() {},
    layer(digest, event) {
      if (event !== 'downloading') output.write(`${shortId(digest)}: ${EVENT_TEXT[event]}\n`);
    },
    finish() {},
  };
}

export async function terminalPullProgress(output: NodeJS.WriteStream): Promise<RenderedPullProgress> {
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: output });
  const order: string[] = [];
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
    resolving(reference) {
      spinner.start(`Resolving ${reference.toString()}`);
    },
    resolved() {
      spinner.stop();
    },
    layer(digest, event, current, total) {
      const id = shortId(digest);
      if (!text.has(id)) order.push(id);
      const progress = event === 'downloading' && current !== undefined && total ? ` ${humanSize(current)}/${humanSize(total)}` : '';
      text.set(id, `${EVENT_TEXT[event]}${progress}`);
      draw(event !== 'downloading');
    },
    finish() {
      spinner.stop();
      draw(true);
    },
  };
}
