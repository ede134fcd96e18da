// Where berth keeps its own state, under the data root keyed by containerd address.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateDirectory, type BerthConfig } from '../config/config.js';

export function volumesDirectory(config: BerthConfig, namespace: string): string {
  return join(stateDirectory(config), 'volumes', namespace);
}

/** Per-container files: hostname, hosts, resolv.conf, the json log, the logger's config. */
export function containerDirectory(config: BerthConfig, namespace: string, id: string): string {
  return join(stateDirectory(config), 'containers', namespace, id);
}

/** Docker's json-file location, inside the container's directory. */
export function containerLogPath(config: BerthConfig, namespace: string, id: string): string {
  return join(containerDirectory(config, namespace, id), `${id}-json.log`);
}

/**
 * `node bin/run.js`: how detached helpers (the reaper a logger starts when a container exits)
 * run berth again. The bundle sits in dist/, one level below the package root.
 */
export function berthCommandLine(): string[] {
  return [process.execPath, '--', fileURLToPath(new URL('../bin/run.js', import.meta.url))];
}
