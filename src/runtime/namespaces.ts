// containerd namespaces as berth shows them: with what each one holds.

import { readdir } from 'node:fs/promises';
import { BerthError, usageError } from '../errors.js';
import { validateNamespace } from '../config/config.js';
import type { RuntimeContext } from './context.js';
import type { Container, Image, Namespace } from './containerd/types.js';
import { volumesDirectory } from './paths.js';

/** Kubernetes' CRI keeps every pod in it; removing it would break the node. */
export const KUBERNETES_NAMESPACE = 'k8s.io';

export interface NamespaceSummary {
  readonly Name: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Containers: number;
  readonly Images: number;
  readonly Volumes: number;
}

async function countVolumes(context: RuntimeContext, namespace: string): Promise<number> {
  try {
    return (await readdir(volumesDirectory(context.config, namespace))).length;
  } catch {
    return 0;
  }
}

async function summarise(context: RuntimeContext, namespace: Namespace): Promise<NamespaceSummary> {
  const call = { namespace: namespace.name };
  const [containers, images, volumes] = await Promise.all([
    context.containerd.collect<{ container: Container }>('containers', 'ListStream', { filters: [] }, call),
    context.containerd.unary<{ images: Image[] }>('images', 'List', { filters: [] }, call),
    countVolumes(context, namespace.name),
  ]);
  return { Name: namespace.name, Labels: namespace.labels, Containers: containers.length, Images: images.images.length, Volumes: volumes };
}

export async function listNamespaces(context: RuntimeContext): Promise<NamespaceSummary[]> {
  const { namespaces } = await context.containerd.unary<{ namespaces: Namespace[] }>('namespaces', 'List', {}, { namespace: null });
  const sorted = [...namespaces].sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(sorted.map((namespace) => summarise(context, namespace)));
}

export async function inspectNamespace(context: RuntimeContext, name: string): Promise<NamespaceSummary> {
  validateNamespace(name);
  // Namespaces.Get answers with empty labels for a namespace that does not exist; List does not lie.
  const { namespaces } = await context.containerd.unary<{ namespaces: Namespace[] }>('namespaces', 'List', {}, { namespace: null });
  const namespace = namespaces.find((candidate) => candidate.name === name);
  if (!namespace) throw new BerthError('not-found', `no such namespace: ${name}`);
  return summarise(context, namespace);
}

export function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? pair : pair.slice(0, equals);
    if (key === '') throw usageError(`invalid label "${pair}": the key must not be empty`);
    labels[key] = equals === -1 ? '' : pair.slice(equals + 1);
  }
  return labels;
}

export async function createNamespace(context: RuntimeContext, name: string, labels: Record<string, string>): Promise<void> {
  validateNamespace(name);
  await context.containerd.unary('namespaces', 'Create', { namespace: { name, labels } }, { namespace: name });
}

/** Sets (or, with an empty value after `=`, keeps empty) the given labels; other labels stay. */
export async function updateNamespaceLabels(context: RuntimeContext, name: string, labels: Record<string, string>): Promise<void> {
  validateNamespace(name);
  const paths = Object.keys(labels).map((key) => `labels.${key}`);
  await context.containerd.unary('namespaces', 'Update', { namespace: { name, labels }, update_mask: { paths } }, { namespace: name });
}

export async function removeNamespace(context: RuntimeContext, name: string): Promise<void> {
  validateNamespace(name);
  if (name === KUBERNETES_NAMESPACE) {
    throw new BerthError('failed-precondition', `refusing to remove namespace "${name}": Kubernetes' CRI keeps the node's pods there`);
  }
  await context.containerd.unary('namespaces', 'Delete', { name }, { namespace: name });
}
