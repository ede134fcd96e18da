// What `run` and `create` share: flags → intent, the image made local, the container created,
// `--cidfile` written. Anything failing here fails before the container starts: exit 125.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import type { RuntimeContext } from '../runtime/context.js';
import type { Mount } from '../runtime/containerd/snapshots.js';
import type { Container } from '../runtime/containerd/types.js';
import type { CreateIntent } from '../runtime/intent.js';
import type { RunOptions } from '../runtime/create-options.js';
import { ensureImage, unpackImage } from './ensure-image.js';

export interface CreatedFromFlags {
  readonly container: Container;
  /** Snapshots.Prepare's mounts, for the first start (startContainer's `fresh`) */
  readonly rootfs: readonly Mount[];
  readonly intent: CreateIntent;
  readonly options: RunOptions;
}

function as125(error: unknown): never {
  if (error instanceof BerthError) {
    throw new BerthError(error.category, error.message, { cause: error.cause ?? error, exitCode: error.exitCode ?? 125 });
  }
  throw new BerthError('internal', error instanceof Error ? error.message : String(error), { cause: error, exitCode: 125 });
}

async function writeCidfile(path: string, id: string): Promise<void> {
  try {
    await writeFile(path, id, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BerthError('usage', `Container ID file found, make sure the other container isn't running or delete ${path}`);
    }
    throw new BerthError('internal', `failed to create the container ID file: ${(error as Error).message}`);
  }
}

export async function createFromFlags(runtime: RuntimeContext, intent: CreateIntent, options: RunOptions): Promise<CreatedFromFlags> {
  for (const warning of options.warnings) process.stderr.write(`WARNING: ${warning}\n`);
  const { KUBERNETES_NAMESPACE } = await import('../runtime/namespaces.js');
  // Kubernetes' namespace takes berth's containers, but they are in no pod: no kubelet looks after them.
  if (runtime.containerd.namespace === KUBERNETES_NAMESPACE) {
    process.stderr.write(`WARNING: namespace ${KUBERNETES_NAMESPACE} is Kubernetes' (containerd's CRI plugin): the kubelet will not manage this container; it is in no pod, and Kubernetes will neither restart nor clean it up\n`);
  }
  try {
    if (options.cidfile) {
      if (existsSync(options.cidfile)) {
        throw new BerthError('usage', `Container ID file found, make sure the other container isn't running or delete ${options.cidfile}`);
      }
    }
    const image = ensureImage(runtime, { name: intent.Image, pull: options.pull, platform: options.platform, quiet: options.quiet, unpackOnDemand: true });
    image.catch(() => undefined); // createContainer reports it
    const { createContainer } = await import('../runtime/containers/create.js');
    const created = await createContainer(runtime, { intent, name: options.name, image, unpack: (local) => unpackImage(runtime, local) });
    // as Docker's CLI prints the daemon's warnings
    for (const warning of created.warnings) process.stderr.write(`WARNING: ${warning}\n`);
    if (options.cidfile) await writeCidfile(options.cidfile, created.id);
    return { container: created.container, rootfs: created.rootfs, intent, options };
  } catch (error) {
    as125(error);
  }
}
