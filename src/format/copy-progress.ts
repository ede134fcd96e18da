// docker cp's progress on stderr: on a terminal one line, `Copying to container - 1.2MB`,
// redrawn in place at most every 75 ms and erased at the end; then, terminal or not,
// `Successfully copied 2.05kB to DEST` (the size is the archive's, as Docker 28 counts it).

import { humanSize } from './units.js';

const CSI = '\u001b[';
const UPDATE_MS = 75;

export interface CopyProgress {
  /** the archive bytes copied so far */
  bytes(total: number): void;
  /** erases the progress line; prints the summary when the copy succeeded */
  finish(destination: string | undefined): void;
}

export const copySize = (bytes: number): string => humanSize(bytes, 3);

export function copyProgress(output: NodeJS.WriteStream, direction: 'to' | 'from'): CopyProgress {
  const header = direction === 'to' ? 'Copying to container - ' : 'Copying from container - ';
  let total = 0;
  let shown = 0;
  let timer: NodeJS.Timeout | undefined;
  if (output.isTTY) {
    output.write(`${CSI}s` + 'Preparing to copy...');
    output.write(`${CSI}?25l${CSI}u${CSI}2K${header}${copySize(0)}`);
    timer = setInterval(() => {
      if (total === shown) return;
      shown = total;
      output.write(`${CSI}${header.length + 1}G${CSI}0K${copySize(total)}`);
    }, UPDATE_MS);
    timer.unref();
  }
  return {
    bytes(value) {
      total = value;
    },
    finish(destination) {
      if (timer) {
        clearInterval(timer);
        output.write(`${CSI}?25h${CSI}u${CSI}2K`);
      }
      if (destination !== undefined) output.write(`Successfully copied ${copySize(total)} to ${destination}\n`);
    },
  };
}
