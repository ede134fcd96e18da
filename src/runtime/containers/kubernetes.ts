// Kubernetes' containers as berth shows them: the kubelet creates pods (sandboxes) and their
// containers through containerd's CRI plugin, which keeps them in namespace `k8s.io` with the
// kubelet's labels. berth names them `k8s://<namespace>/<pod>/<container>` (a sandbox
// `k8s://<namespace>/<pod>`), a name no berth container can have (`:` and `/` are not allowed).

import type { Container } from '../containerd/types.js';
import { CRI_EXTENSIONS, CRI_LABELS } from './labels.js';

export const KUBERNETES_NAME_PREFIX = 'k8s://';

export interface KubernetesInfo {
  readonly kind: 'sandbox' | 'container';
  readonly podName: string;
  readonly podNamespace: string;
  readonly podUid: string;
  /** '' for a sandbox */
  readonly containerName: string;
}

/** What the labels say about a CRI sandbox or container; undefined for anything else. */
export function kubernetesInfo(labels: Readonly<Record<string, string>>): KubernetesInfo | undefined {
  const kind = labels[CRI_LABELS.kind];
  if (kind !== 'sandbox' && kind !== 'container') return undefined;
  const podName = labels[CRI_LABELS.podName];
  const podNamespace = labels[CRI_LABELS.podNamespace];
  if (podName === undefined || podNamespace === undefined) return undefined;
  return { kind, podName, podNamespace, podUid: labels[CRI_LABELS.podUid] ?? '', containerName: kind === 'container' ? (labels[CRI_LABELS.containerName] ?? '') : '' };
}

export function kubernetesName(info: KubernetesInfo): string {
  const pod = `${KUBERNETES_NAME_PREFIX}${info.podNamespace}/${info.podName}`;
  return info.kind === 'sandbox' ? pod : `${pod}/${info.containerName}`;
}

export interface KubernetesNameParts {
  readonly podNamespace: string;
  readonly podName: string;
  /** undefined: the pod's sandbox */
  readonly containerName?: string;
}

/** `k8s://ns/pod[/container]`; undefined for anything else (Kubernetes names hold no `/`). */
export function parseKubernetesName(ref: string): KubernetesNameParts | undefined {
  if (!ref.startsWith(KUBERNETES_NAME_PREFIX)) return undefined;
  const parts = ref.slice(KUBERNETES_NAME_PREFIX.length).split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) return undefined;
  const [podNamespace, podName, containerName] = parts;
  return { podNamespace, podName, containerName };
}

/** containerd filters (one string: its clauses are AND'ed) selecting what a `k8s://` name names. */
export function kubernetesNameFilter(parts: KubernetesNameParts): string {
  const clause = (key: string, value: string) => `labels."${key}"==${JSON.stringify(value)}`;
  const clauses = [clause(CRI_LABELS.podNamespace, parts.podNamespace), clause(CRI_LABELS.podName, parts.podName)];
  if (parts.containerName === undefined) clauses.push(clause(CRI_LABELS.kind, 'sandbox'));
  else clauses.push(clause(CRI_LABELS.kind, 'container'), clause(CRI_LABELS.containerName, parts.containerName));
  return clauses.join(',');
}

/** The part of CRI's container metadata extension berth reads. */
export interface CriContainerMetadata {
  readonly sandboxId: string;
  /** absolute path of the CRI-format log; '' when the kubelet asked for none */
  readonly logPath: string;
  /** the image's config digest */
  readonly imageRef: string;
}

/** CRI's metadata of a container (needs the container's extensions); undefined when absent or unreadable. */
export function criContainerMetadata(container: Container): CriContainerMetadata | undefined {
  const extension = container.extensions?.[CRI_EXTENSIONS.container];
  if (!extension?.value?.length) return undefined;
  try {
    const { Metadata: metadata } = JSON.parse(Buffer.from(extension.value).toString('utf8')) as { Metadata?: Record<string, unknown> };
    if (!metadata) return undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    return { sandboxId: text(metadata.SandboxID), logPath: text(metadata.LogPath), imageRef: text(metadata.ImageRef) };
  } catch {
    return undefined;
  }
}
