// The global options the argv pre-pass took out, for the command that runs in this process.

import type { GlobalFlagValues } from './globals.js';

let globalFlags: GlobalFlagValues = {};

export function setGlobalFlags(values: GlobalFlagValues): void {
  globalFlags = values;
}

export function getGlobalFlags(): GlobalFlagValues {
  return globalFlags;
}
