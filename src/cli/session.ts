// The global options the argv pre-pass took out, for the command that runs in this process.

import type { GlobalFlagValues } from './globals.js';

let globalFlags: GlobalFlagValues = {};

export function setGlobalFlags(values: GlobalFlagValues): void {
  globalFlags = values;
}

export function getGlobalFlags(): GlobalFlagValues {
  return globalFlags;
}

let debugMode = false;

/** --debug (or `debug = true` in berth.toml): errors are shown with their causes and stacks. */
export function setDebugMode(enabled: boolean): void {
  debugMode = enabled;
}

export function isDebugMode(): boolean {
  return debugMode;
}
