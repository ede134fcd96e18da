// Signal names as Docker takes them (`TERM`, `SIGTERM`, `sigkill`, `9`, `SIGRTMIN+3`) to the
// numbers containerd's Kill wants. Linux numbering: berth only runs Linux containers.

import { constants } from 'node:os';
import { usageError } from '../errors.js';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** The signal number, or undefined when `value` names no signal. */
export function signalNumber(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return number >= 1 && number <= SIGRTMAX ? number : undefined;
  }
  const name = text.toUpperCase().replace(/^SIG/, '');
  const realtime = /^RT(MIN|MAX)([+-]\d+)?$/.exec(name);
  if (realtime) {
    const number = (realtime[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + Number(realtime[2] ?? 0);
    return number >= SIGRTMIN && number <= SIGRTMAX ? number : undefined;
  }
  return (constants.signals as Record<string, number>)[`SIG${name}`];
}

/** Docker's `invalid signal: X` for a bad `--signal`/`--stop-signal`. */
export function parseSignal(value: string): number {
  const number = signalNumber(value);
  if (number === undefined) throw usageError(`invalid signal: ${value}`);
  return number;
}

export const SIGKILL = 9;
export const SIGTERM = 15;
