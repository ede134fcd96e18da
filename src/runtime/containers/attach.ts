// `attach`: the output of a running container from now on (through its logger), its stdin when
// it was created with `-i`, and its exit code when it ends.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { AttachedIO } from '../logging/task-io.js';
import { getContainer } from './lifecycle.js';
import { LABELS } from './labels.js';
import type { ContainerRecord } from './record.js';
import { waitForExit } from './task.js';

export interface Attachment {
  readonly io: AttachedIO;
  /** the container's exit code, once it has exited */
  readonly exitCode: Promise<number>;
}

/** Docker's CLI refuses these before attaching. */
export function checkAttachable(record: ContainerRecord): void {
  if (record.status === 'paused') throw new BerthError('failed-precondition', 'You cannot attach to a paused container, unpause it first');
  if (record.status === 'restarting') throw new BerthError('failed-precondition', 'You cannot attach to a restarting container, wait until it is running');
  if (record.status !== 'running') throw new BerthError('failed-precondition', 'You cannot attach to a stopped container, start it first');
}

export async function attachContainer(context: RuntimeContext, record: ContainerRecord, options: { stdin: boolean }): Promise<Attachment> {
  checkAttachable(record);
  // in place before attaching, as Docker's CLI does, so a quick exit is not missed
  const exit = waitForExit(context, record.id);
  const exitCode = exit.then(
    (status) => status.exitCode,
    // the reaper deleted the task first: it recorded the exit on the container
    async () => Number((await getContainer(context, record.id))?.labels[LABELS.exitCode] ?? 0),
  );
  exitCode.catch(() => undefined);
  const { attachRunning } = await import('../logging/task-io.js');
  const io = await attachRunning({ config: context.config, namespace: context.containerd.namespace, id: record.id, stdin: options.stdin });
  return { io, exitCode };
}
