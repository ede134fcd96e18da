// V8 flags berth sets while it runs. V8 stamps a code cache with the flags in force and refuses
// it under others, so a process that changed one must not write bin/run.js's cache.

import { v8 } from '../lazy-node.js';

let changed = false;

export function setV8Flag(flag: string): void {
  v8().setFlagsFromString(flag);
  changed = true;
}

export function v8FlagsChanged(): boolean {
  return changed;
}
