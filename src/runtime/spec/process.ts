// Small process and namespace options.

import type { Spec } from './types.js';

/** `-t`: the runtime allocates a pty for the process (TERM comes with the image config). */
export function withTerminal(spec: Spec, consoleSize?: readonly [number, number]): void {
  spec.process.terminal = true;
  // the size of the client's terminal from the first byte: a resize after start would race the command
  if (consoleSize && consoleSize[0] > 0 && consoleSize[1] > 0) spec.process.consoleSize = { height: consoleSize[0], width: consoleSize[1] };
}

/** `--security-opt no-new-privileges`: setuid binaries and file capabilities stop granting more. */
export function withNoNewPrivileges(spec: Spec, enabled = true): void {
  spec.process.noNewPrivileges = enabled;
}

export function withAnnotations(spec: Spec, annotations: Readonly<Record<string, string>>): void {
  if (Object.keys(annotations).length === 0) return;
  spec.annotations = { ...spec.annotations, ...annotations };
}

/**
 * `--network host` shares the host's network namespace; `none` keeps a private, empty one; a
 * network joins the namespace berth made and attached at create (`netnsPath`).
 */
export function withNetworkMode(spec: Spec, mode: string, netnsPath?: string): void {
  if (mode === 'host') spec.linux.namespaces = spec.linux.namespaces.filter((namespace) => namespace.type !== 'network');
  if (mode !== 'host' && mode !== 'none' && netnsPath) {
    spec.linux.namespaces = spec.linux.namespaces.map((namespace) => (namespace.type === 'network' ? { type: 'network', path: netnsPath } : namespace));
  }
}

/** `--oom-score-adj`: how readily the kernel's OOM killer picks the container's processes. */
export function withOomScoreAdj(spec: Spec, score: number | undefined): void {
  if (score !== undefined) spec.process.oomScoreAdj = score;
}
