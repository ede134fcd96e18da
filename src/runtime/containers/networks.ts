// `network connect` / `disconnect` for a container named the Docker way.

import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { EndpointRequest } from '../network/attach.js';
import { containerDirectory } from '../paths.js';
import { findContainer } from './find.js';

export async function connectNetwork(context: RuntimeContext, ref: string, request: EndpointRequest): Promise<void> {
  const record = await findContainer(context, ref);
  if (request.network === 'host' || request.network === 'none') {
    throw new BerthError('failed-precondition', `container cannot be disconnected from host network or connected to host network`);
  }
  const { connectContainer } = await import('../network/attach.js');
  const directory = containerDirectory(context.config, context.containerd.namespace, record.id);
  await connectContainer(context.config, { id: record.id, namespace: context.containerd.namespace, name: record.name, hostsPath: join(directory, 'hosts') }, request);
}

export async function disconnectNetwork(context: RuntimeContext, ref: string, network: string, options: { force: boolean }): Promise<void> {
  const record = await findContainer(context, ref);
  const { disconnectContainer } = await import('../network/attach.js');
  try {
    await disconnectContainer(context.config, record.id, record.name, network);
  } catch (error) {
    if (options.force && error instanceof BerthError && error.category === 'failed-precondition') return;
    throw error;
  }
}
