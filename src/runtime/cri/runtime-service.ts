// Stopping and removing the kubelet's sandboxes and containers through CRI's RuntimeService,
// which containerd's CRI plugin serves on containerd's own socket: the plugin then updates its
// records (ContainerStatus says exited, ListContainers forgets a removed one), which it would
// not if berth stopped or deleted them behind its back.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS } from '../containers/lifecycle.js';
import type { KubeletObject } from './guard.js';

/** berth's `-t -1` (wait for ever) as CRI seconds: a year, within Go's Duration. */
const FOREVER_SECONDS = 365 * 24 * 3600;
/** grace for CRI's own work beyond the stop timeout */
const CALL_MARGIN_MS = 60_000;

async function call(context: RuntimeContext, doing: string, method: string, request: object, timeoutMs = CALL_MARGIN_MS): Promise<void> {
  try {
    await context.containerd.unary('cri', method, request, { namespace: null, timeoutMs });
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    const hint = error.category === 'not-implemented' ? " (containerd's CRI plugin is not running)" : '';
    throw new BerthError(error.category, `${doing} through CRI: ${error.message}${hint}`, { cause: error });
  }
}

/** `timeoutSeconds`: grace before SIGKILL, as `stop -t` (10 when not given, -1 for ever). */
export async function stopThroughCri(context: RuntimeContext, object: KubeletObject, timeoutSeconds = DEFAULT_STOP_TIMEOUT_SECONDS): Promise<void> {
  if (object.kind === 'sandbox') {
    await call(context, `stopping ${object.name}`, 'StopPodSandbox', { pod_sandbox_id: object.id });
    return;
  }
  const timeout = timeoutSeconds < 0 ? FOREVER_SECONDS : timeoutSeconds;
  await call(context, `stopping ${object.name}`, 'StopContainer', { container_id: object.id, timeout }, timeout * 1000 + CALL_MARGIN_MS);
}

/** A running container is stopped first by CRI itself; a sandbox is stopped, then removed with its containers. */
export async function removeThroughCri(context: RuntimeContext, object: KubeletObject): Promise<void> {
  if (object.kind === 'sandbox') {
    await call(context, `stopping ${object.name}`, 'StopPodSandbox', { pod_sandbox_id: object.id });
    await call(context, `removing ${object.name}`, 'RemovePodSandbox', { pod_sandbox_id: object.id });
    return;
  }
  await call(context, `removing ${object.name}`, 'RemoveContainer', { container_id: object.id });
}
