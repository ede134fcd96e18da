// What a user means by a container reference, resolved as Docker resolves it: a full ID, then
// an exact name (with or without the leading `/`; for Kubernetes' containers their `k8s://`
// name), then a unique ID prefix.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Process } from '../containerd/types.js';
import { withHealth } from '../health/records.js';
import { LABELS } from './labels.js';
import { kubernetesNameFilter, parseKubernetesName } from './kubernetes.js';
import { decodeRecord, listContainerMessages, listContainers, sortNewestFirst } from './list.js';
import type { ContainerRecord } from './record.js';

/** Container IDs and Docker names only use these; anything else cannot name a container. */
const REFERENCE_CHARS = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const HEX = /^[a-f0-9]+$/;

export function noSuchContainer(ref: string): BerthError {
  return new BerthError('not-found', `No such container: ${ref}`);
}

function ambiguousPrefix(ref: string): BerthError {
  return new BerthError('invalid-argument', `multiple IDs found with provided prefix: ${ref}`);
}

/**
 * Picks the container `ref` means among `records` (which must hold every candidate: the
 * container with that ID, with that name, and those whose ID starts with it).
 */
export function resolveReference(records: readonly ContainerRecord[], ref: string): ContainerRecord {
  if (ref === '') throw noSuchContainer(ref);
  const byId = records.find((record) => record.id === ref);
  if (byId) return byId;
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const byName = records.find((record) => record.container.labels[LABELS.name] === name);
  if (byName) return byName;
  // a Kubernetes name: the newest of the pod's attempts (records come newest first)
  const byKubernetesName = parseKubernetesName(ref) && records.find((record) => record.kubernetes && record.name === ref);
  if (byKubernetesName) return byKubernetesName;
  if (HEX.test(ref)) {
    const matches = records.filter((record) => record.id.startsWith(ref));
    if (matches.length > 1) throw ambiguousPrefix(ref);
    if (matches.length === 1) return matches[0];
  }
  throw noSuchContainer(ref);
}

/** containerd filters selecting every candidate for `ref` (OR'd), or undefined when none can match. */
export function candidateFilters(ref: string): string[] | undefined {
  const kubernetes = parseKubernetesName(ref);
  if (kubernetes) return [kubernetesNameFilter(kubernetes)];
  if (!REFERENCE_CHARS.test(ref)) return undefined;
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const filters = [`labels."${LABELS.name}"==${JSON.stringify(name)}`];
  if (!ref.startsWith('/')) filters.push(`id==${JSON.stringify(ref)}`);
  if (HEX.test(ref)) filters.push(`id~=${JSON.stringify(`^${ref}`)}`);
  return filters;
}

async function getTask(context: RuntimeContext, id: string): Promise<Process | undefined> {
  try {
    const { process } = await context.containerd.unary<{ process: Process }>('tasks', 'Get', { container_id: id });
    return process;
  } catch (error) {
    if (error instanceof BerthError && error.category === 'not-found') return undefined;
    throw error;
  }
}

/** One container by full ID, name or unique ID prefix, with its state; `No such container: REF` otherwise. */
export async function findContainer(context: RuntimeContext, ref: string): Promise<ContainerRecord> {
  const filters = candidateFilters(ref);
  if (!filters) throw noSuchContainer(ref);
  const candidates = await listContainerMessages(context, filters);
  const chosen = resolveReference(sortNewestFirst(candidates.map((container) => decodeRecord(container))), ref);
  const [record] = await withHealth(context, [decodeRecord(chosen.container, await getTask(context, chosen.id))]);
  return record;
}

export type FoundContainer = { readonly ref: string; readonly record: ContainerRecord } | { readonly ref: string; readonly error: BerthError };

/** Several references resolved against one listing, in the order given; failures are per reference. */
export async function findContainers(context: RuntimeContext, refs: readonly string[]): Promise<FoundContainer[]> {
  if (refs.length === 1) {
    const [ref] = refs;
    try {
      return [{ ref, record: await findContainer(context, ref) }];
    } catch (error) {
      if (error instanceof BerthError) return [{ ref, error }];
      throw error;
    }
  }
  const records = refs.length === 0 ? [] : await listContainers(context);
  return refs.map((ref) => {
    try {
      return { ref, record: resolveReference(records, ref) };
    } catch (error) {
      if (error instanceof BerthError) return { ref, error };
      throw error;
    }
  });
}
