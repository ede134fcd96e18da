// The kubelet's guard rails as commands apply them: the warning on stderr (stdout stays data),
// a refusal as the command's error; see src/runtime/cri/guard.ts.

import type { Container } from '../runtime/containerd/types.js';
import { guardDecision, kubeletObject, type GuardedAction, type GuardOptions, type KubeletObject } from '../runtime/cri/guard.js';

/** The kubelet's object that `container` is, after warning about `action`; undefined for any other container. */
export function guardKubeletObject(container: Container, action: GuardedAction, options: GuardOptions = {}): { object: KubeletObject; throughCri: boolean } | undefined {
  const object = kubeletObject(container);
  if (!object) return undefined;
  const decision = guardDecision(action, object, options);
  process.stderr.write(`${decision.warning}\n`);
  return { object, throughCri: decision.throughCri };
}
