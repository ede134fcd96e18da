// `rename`: the new name's lease is taken first (atomic, so two renames to one name cannot both
// win), then the label moves, then the old lease goes. A failure in between gives the new name
// back, leaving the container as it was.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { LABELS } from './labels.js';
import { releaseName, reserveName } from './name-reservation.js';
import { validateName } from './names.js';
import type { ContainerRecord } from './record.js';
import { setLabels } from './task.js';

/** Docker's daemon words every failure to take the name this way; the CLI exits 1, not 125. */
function allocationError(error: unknown): BerthError {
  const message = error instanceof Error ? error.message : String(error);
  const category = error instanceof BerthError && error.category !== 'usage' ? error.category : 'invalid-argument';
  return new BerthError(category, `Error when allocating new name: ${message}`, { cause: error, exitCode: 1 });
}

export async function renameContainer(context: RuntimeContext, record: ContainerRecord, wanted: string): Promise<void> {
  const oldName = record.container.labels[LABELS.name];
  let newName: string;
  try {
    newName = validateName(wanted.trim());
  } catch (error) {
    throw allocationError(error);
  }
  if (newName === oldName) {
    throw new BerthError('invalid-argument', 'Renaming a container with the same name as its current name');
  }
  try {
    await reserveName(context.containerd, newName, record.id);
  } catch (error) {
    throw allocationError(error);
  }
  try {
    await setLabels(context, record.id, { [LABELS.name]: newName });
  } catch (error) {
    await releaseName(context.containerd, newName, record.id).catch(() => undefined);
    throw error;
  }
  if (oldName) await releaseName(context.containerd, oldName, record.id);
}
