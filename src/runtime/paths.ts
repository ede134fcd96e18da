// Where berth keeps its own state, under the data root keyed by containerd address.

import { join } from 'node:path';
import { stateDirectory, type BerthConfig } from '../config/config.js';

export function volumesDirectory(config: BerthConfig, namespace: string): string {
  return join(stateDirectory(config), 'volumes', namespace);
}
