// A container's published ports as `port` shows them: held while it runs, as in Docker.

import { portLines, portMappingsFromLabel } from '../network/ports.js';
import { LABELS } from './labels.js';
import type { ContainerRecord } from './record.js';
import { isRunning } from './status.js';

export function publishedPortLines(record: ContainerRecord, privatePort?: string): string[] | undefined {
  const mappings = isRunning(record) ? portMappingsFromLabel(record.container.labels[LABELS.ports]) : [];
  return portLines(mappings, privatePort);
}
