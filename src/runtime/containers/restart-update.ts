// `update --restart`: a container's restart policy changed after create, effective at once
// for a running container (containerd's monitor labels follow) and at every later start.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Container } from '../containerd/types.js';
import { parseCreateIntent } from '../intent.js';
import { parseLogSettings } from '../logging/task-io.js';
import { EXTENSIONS, INTENT_TYPE_URL, LABELS, RESTART_MONITOR_LABELS } from './labels.js';
import { reaperCommand, storedIntent } from './lifecycle.js';
import { restartLabelsForStart } from './restart.js';
import { hasRestartPolicy, type RestartPolicy } from './restart-policy.js';
import { getTask, setLabels } from './task.js';

/** Stores `policy` in the container's intent (inspect's HostConfig.RestartPolicy) and applies it. */
export async function applyRestartPolicy(context: RuntimeContext, container: Container, policy: RestartPolicy): Promise<void> {
  if (container.labels[LABELS.autoRemove] === 'true' && hasRestartPolicy(policy)) {
    throw new BerthError('invalid-argument', 'Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  const current = storedIntent(container);
  const intent = parseCreateIntent({ ...current, HostConfig: { ...current.HostConfig, RestartPolicy: policy } });
  await context.containerd.unary('containers', 'Update', {
    container: { id: container.id, extensions: { [EXTENSIONS.intent]: { type_url: INTENT_TYPE_URL, value: Buffer.from(JSON.stringify(intent)) } } },
    update_mask: { paths: [`extensions.${EXTENSIONS.intent}`] },
  });
  const task = await getTask(context, container.id);
  if (!task || task.status === 'STOPPED' || task.status === 'CREATED') return; // the next start sets the labels
  const log = parseLogSettings(intent.HostConfig.LogConfig?.Type, intent.HostConfig.LogConfig?.Config ?? undefined);
  const onExit = reaperCommand(context, container.id, false);
  const changes = await restartLabelsForStart(context, container, intent, { log, onExit, byPolicy: true });
  const status = changes[RESTART_MONITOR_LABELS.status];
  await setLabels(context, container.id, {
    [RESTART_MONITOR_LABELS.status]: status !== undefined && task.status !== 'RUNNING' ? 'paused' : status,
    [RESTART_MONITOR_LABELS.logUri]: changes[RESTART_MONITOR_LABELS.logUri],
  });
}
