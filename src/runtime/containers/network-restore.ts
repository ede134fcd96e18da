// After a reboot /run is empty: a container's network namespace (/run/netns), its attachments and
// its address (/run/berth) are gone, while its spec still names the namespace and runc would refuse
// to start it. A start makes them again from the stored intent, as create made them (the address
// may be another one), and writes the container's hosts file anew. Networks that `network connect`
// added later lived in /run only: the container comes back on the one it was created on.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeContext } from '../context.js';
import type { Container } from '../containerd/types.js';
import type { CreateIntent } from '../intent.js';
import { netnsPath } from '../network/netns.js';
import { containerDirectory } from '../paths.js';
import { LABELS } from './labels.js';

/** Whether the container is on a network of berth's whose namespace is gone. */
export function networkLost(container: Container, intent: CreateIntent): boolean {
  const mode = intent.HostConfig.NetworkMode ?? 'none';
  return mode !== 'none' && mode !== 'host' && !mode.startsWith('container:') && !existsSync(netnsPath(container.id));
}

export async function restoreNetwork(context: RuntimeContext, container: Container, intent: CreateIntent): Promise<void> {
  const [{ attachContainer, announceContainer }, { endpointRequest, etcFilesSettings, portBindings }, { writeEtcFiles }] = await Promise.all([
    import('../network/attach.js'),
    import('./create.js'),
    import('./etc-files.js'),
  ]);
  const directory = containerDirectory(context.config, context.containerd.namespace, container.id);
  const name = container.labels[LABELS.name] ?? container.id;
  const attached = await attachContainer(
    context.config,
    { id: container.id, namespace: context.containerd.namespace, name, hostsPath: join(directory, 'hosts') },
    endpointRequest(intent),
    portBindings(intent, intent.HostConfig.PublishAllPorts ? await imageExposedPorts(context, container) : []),
  );
  const hostname = container.labels[LABELS.hostname] ?? container.id.slice(0, 12);
  await writeEtcFiles(directory, etcFilesSettings(intent, { hostname, name, ip: attached.endpoint.ipAddress, bridgeSubnet: context.config.bridgeSubnet }));
  await announceContainer(container.id);
}

/** `-P` publishes what the image exposes too, when the image is still there. */
async function imageExposedPorts(context: RuntimeContext, container: Container): Promise<string[]> {
  const [{ containerdImageStore }, { imageConfigOf }] = await Promise.all([import('../containerd/image-store.js'), import('./inspect.js')]);
  const config = await imageConfigOf(containerdImageStore(context.containerd, context.config.snapshotter), container).catch(() => undefined);
  return Object.keys(config?.ExposedPorts ?? {});
}
