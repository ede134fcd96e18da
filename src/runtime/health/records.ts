// The health of listed containers: one small file read for each container that has a check
// (its label says so), none for the others, and no containerd call.

import type { RuntimeContext } from '../context.js';
import { LABELS } from '../containers/labels.js';
import type { ContainerRecord } from '../containers/record.js';
import { containerDirectory } from '../paths.js';
import { healthStatePath, readHealthState, shownState } from './state.js';

export async function withHealth(context: RuntimeContext, records: ContainerRecord[]): Promise<ContainerRecord[]> {
  const { config, containerd } = context;
  return Promise.all(
    records.map(async (record) => {
      if (record.container.labels?.[LABELS.healthcheck] !== 'true') return record;
      const state = await readHealthState(healthStatePath(containerDirectory(config, containerd.namespace, record.id)));
      return state ? { ...record, health: shownState(state, record.status === 'running') } : record;
    }),
  );
}
