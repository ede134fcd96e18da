// Foreground and detached runs share one path once the container exists: start it (attached
// or not), and for a foreground run wait for its exit, reap its task and honour `--rm`.

import type { RuntimeContext } from '../context.js';
import type { Mount } from '../containerd/snapshots.js';
import type { Container } from '../containerd/types.js';
import { getContainer, leaveNetworks, removeContainer, startContainer, storedIntent, type StartedContainer } from './lifecycle.js';
import { hasRestartPolicy } from './restart-policy.js';
import { deleteTask } from './task.js';

export async function loadContainer(context: RuntimeContext, id: string): Promise<Container> {
  const container = await getContainer(context, id);
  if (!container) throw new Error(`container ${id} vanished right after it was created`);
  return container;
}

/** Starts a detached container; with `--rm` a failed start leaves nothing behind. */
export async function startDetached(context: RuntimeContext, container: Container, rootfs: readonly Mount[], autoRemove: boolean, openStdin: boolean): Promise<void> {
  try {
    const started = await startContainer(context, container, { attach: false, openStdin, fresh: { rootfs } });
    await started.io.release();
  } catch (error) {
  if (autoRemove) await removeContainer(context, container, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** After a foreground run: the exit recorded, the task freed, `--rm` done; returns the exit code. */
export async function finishForeground(context: RuntimeContext, container: Container, started: StartedContainer, autoRemove: boolean): Promise<number> {
  const status = await started.exit;
  started.io.attached?.processExited();
  // With a restart policy the logger's reaper records the exit and restarts the container, as
  // Docker's daemon does after its client has gone; without, the task is deleted here (the
  // logger, told of the exit, hangs up at once either way).
  const reapedHere = !hasRestartPolicy(storedIntent(container).HostConfig.RestartPolicy);
  // A `--rm` container leaves its networks while its task is deleted: with its init gone, the
  // kernel has ended every process in it.
  const networksLeft = autoRemove && reapedHere ? leaveNetworks(context, container) : undefined;
  networksLeft?.catch(() => undefined);
  if (reapedHere) await deleteTask(context, container.id, { recordExit: !autoRemove });
  await started.io.attached?.ready.then(() => started.io.attached!.done).catch(() => undefined);
  await started.io.release().catch(() => undefined);
  if (autoRemove) await removeContainer(context, container, { force: true, taskDeleted: reapedHere, networksLeft });
  return status.exitCode;
}
