// What runtime operations receive: the validated settings and a containerd connection.

import type { BerthConfig } from '../config/config.js';
import { ContainerdClient } from './containerd/client.js';

export interface RuntimeContext {
  readonly config: BerthConfig;
  readonly containerd: ContainerdClient;
}

export function openRuntime(config: BerthConfig): RuntimeContext {
  return { config, containerd: new ContainerdClient(config.address, config.namespace) };
}
