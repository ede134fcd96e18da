// What an attach session does to a container's process through containerd: resize its pty,
// signal it, close its stdin. The terminal side lives in src/cli/attach-session.ts.

import type { RuntimeContext } from '../context.js';

export interface ProcessControls {
  readonly resize: (columns: number, rows: number) => Promise<unknown>;
  readonly signal: (signal: number) => Promise<unknown>;
  readonly stdinClosed: () => Promise<unknown>;
}

export function processControls(runtime: RuntimeContext, containerId: string, execId = ''): ProcessControls {
  const process = { container_id: containerId, exec_id: execId };
  return {
    resize: (columns, rows) => runtime.containerd.unary('tasks', 'ResizePty', { ...process, width: columns, height: rows }),
    signal: (signal) => runtime.containerd.unary('tasks', 'Kill', { ...process, signal, all: false }),
    stdinClosed: () => runtime.containerd.unary('tasks', 'CloseIO', { ...process, stdin: true }),
  };
}
