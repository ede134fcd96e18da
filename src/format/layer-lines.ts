// One line per layer, updated in place on a terminal (`4ff8d1b134a9: Downloading 12.3MB/45.6MB`),
// as Docker draws pull and push progress.

import { humanSize } from './units.js';

export const shortLayerId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export interface LayerLines {
  /** Sets a layer's status; `current/total` are shown for transfers. Redrawn at most every 100 ms unless `final`. */
  set(digest: string, status: string, transfer?: { current?: number; total?: number }, final?: boolean): void;
  /** Draws a last time and forgets the layers: what is written next goes below them. */
  reset(): void;
}

export function terminalLayerLines(output: NodeJS.WritableStream): LayerLines {
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
    set(digest, status, transfer, final = true) {
      const id = shortLayerId(digest);
      if (!text.has(id)) order.push(id);
      const progress = transfer?.current !== undefined && transfer.total ? ` ${humanSize(transfer.current)}/${humanSize(transfer.total)}` : '';
      text.set(id, `${status}${progress}`);
      draw(final);
    },
    reset() {
      draw(true);
      order = [];
      text.clear();
      drawn = 0;
    },
  };
}
