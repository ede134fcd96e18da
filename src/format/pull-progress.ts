// Pull progress as Docker shows it, on stderr: on a terminal one line per layer updated in
// place (and a spinner while the reference resolves); on a pipe one plain line per event;
// nothing with -q.

import type { LayerEvent, PullProgress } from '../image/pull.js';
import type { Reference } from '../image/reference.js';
import { shortLayerId as shortId, terminalLayerLines } from './layer-lines.js';

const EVENT_TEXT: Readonly<Record<LayerEvent, string>> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  'download-complete': 'Download complete',
  extracting: 'Extracting',
  'pull-complete': 'Pull complete',
  'already-exists': 'Already exists',
};

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
  // A terminal that reports no width (some pseudo-terminals) would make ora's clearing loop forever.
  const spinner = ora({ stream: output, isEnabled: (output.columns ?? 0) > 0 });
  const lines = terminalLayerLines(output);
  let pulling = '';
  return {
    resolving(reference) {
      pulling = `${reference.tag ?? reference.digest}: Pulling from ${reference.path}\n`;
      spinner.start(`Resolving ${reference.toString()}`);
    },
    resolved() {
      spinner.stop();
      output.write(pulling);
    },
    layer(digest, event, current, total) {
      lines.set(digest, EVENT_TEXT[event], event === 'downloading' ? { current, total } : undefined, event !== 'downloading');
    },
    finish() {
      spinner.stop();
      lines.reset();
    },
  };
}

/** Docker's choice: nothing with `-q`, redrawn lines on a terminal, plain lines otherwise. */
export async function pullProgressFor(quiet: boolean, output: NodeJS.WriteStream): Promise<RenderedPullProgress> {
  if (quiet) return quietPullProgress();
  return output.isTTY ? terminalPullProgress(output) : plainPullProgress(output);
}
