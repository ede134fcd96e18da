// `pause` / `unpause`: the task's processes frozen and thawed by the runtime (the freezer
// cgroup), with Docker's refusals for a container in the wrong state. containerd's restart
// monitor would kill and restart a frozen task: its label says `paused` meanwhile.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { ContainerRecord } from './record.js';
import { setMonitorPaused } from './restart.js';

export async function pauseContainer(context: RuntimeContext, record: ContainerRecord): Promise<void> {
  if (record.status === 'paused') throw new BerthError('failed-precondition', `container ${record.id} is already paused`);
  if (record.status !== 'running') throw new BerthError('failed-precondition', `container ${record.id} is not running`);
  await setMonitorPaused(context, record.container, true);
  try {
    await context.containerd.unary('tasks', 'Pause', { container_id: record.id });
  } catch (error) {
    await setMonitorPaused(context, record.container, false).catch(() => undefined);
    throw error;
  }
}

export async function unpauseContainer(context: RuntimeContext, record: ContainerRecord): Promise<void> {
  if (record.status !== 'paused') throw new BerthError('failed-precondition', `Container ${record.id} is not paused`);
  await context.containerd.unary('tasks', 'Resume', { container_id: record.id });
  await setMonitorPaused(context, record.container, false);
}
