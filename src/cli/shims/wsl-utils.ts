// Stands in for the `wsl-utils` package that oclif imports on every start only to ask whether
// this is WSL: the package's container probes cost more than the one answer berth needs.

import { readFileSync } from 'node:fs';
import { release } from 'node:os';

function detectWsl(): boolean {
  if (process.platform !== 'linux') return false;
  if (release().toLowerCase().includes('microsoft')) return true;
  try {
    return readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft');
  } catch {
    return false;
  }
}

export const isWsl = detectWsl();

/** Where WSL mounts Windows' PowerShell (oclif asks only on Windows-like hosts). */
export async function powerShellPath(): Promise<string> {
  return '/mnt/c/Windows/System32/WindowsPowerShell/v1.0/powershell.exe';
}
