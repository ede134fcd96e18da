// Docker's `wait` (condition not-running): the exit code of the current or last run; a
// container that was never started is waited for until it has run.

import type { RuntimeContext } from '../context.js';
import { getContainer } from './lifecycle.js';
import { LABELS } from './labels.js';
import { getTask, waitForExit } from './task.js';

const POLL_MS = 200;

export async function waitForContainer(context: RuntimeContext, id: string): Promise<number> {
  for (;;) {
    const task = await getTask(context, id);
    if (task && task.status === 'STOPPED') return task.exit_status;
    if (task && task.status !== 'CREATED') return (await waitForExit(context, id)).exitCode;
    const container = await getContainer(context, id);
    if (!container) throw new Error(`No such container: ${id}`);
    const recorded = container.labels[LABELS.exitCode];
    if (!task && recorded !== undefined && !isNewerStart(container.labels)) return Number(recorded);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A start after the last recorded exit means a run is under way (its task not created yet). */
function isNewerStart(labels: Readonly<Record<string, string>>): boolean {
  const started = Date.parse(labels[LABELS.startedAt] ?? '');
  const finished = Date.parse(labels[LABELS.finishedAt] ?? '');
  return Number.isFinite(started) && Number.isFinite(finished) && started > finished;
}
