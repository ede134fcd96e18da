// Where commands get the two sides an image operation works between: containerd's stores
// (as src/image's ImageStore) and a registry client configured from berth's settings.

import type { BerthConfig } from '../config/config.js';
import type { RuntimeContext } from '../runtime/context.js';
import type { ImageStore } from '../image/store.js';
import type { RegistryClient } from '../image/registry/client.js';
import type { Credentials } from '../image/registry/credentials.js';
import { berthVersion } from './build-info.js';

export async function openImageStore(runtime: RuntimeContext): Promise<ImageStore> {
  const { containerdImageStore } = await import('../runtime/containerd/image-store.js');
  return containerdImageStore(runtime.containerd, runtime.config.snapshotter);
}

/** `credentials`, when given, are used instead of the stored ones: `berth login` checks them so. */
export async function openRegistry(config: BerthConfig, domain: string, credentials?: Credentials): Promise<RegistryClient> {
  const { RegistryClient } = await import('../image/registry/client.js');
  return new RegistryClient(domain, { userAgent: `berth/${berthVersion}`, insecureRegistries: config.insecureRegistries, certsDirs: config.hostsDirs, credentials });
}
