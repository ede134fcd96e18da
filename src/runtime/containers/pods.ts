// `pods`: Kubernetes' pods on this node as containerd's records show them. Each pod is a CRI
// sandbox (a container labelled `io.cri-containerd.kind=sandbox`); its containers carry the same
// pod UID. Read from one container listing and one task listing, like `ps`.

import { humanDuration } from '../../format/units.js';
import { formatValue } from '../../format/values.js';
import type { RuntimeContext } from '../context.js';
import { listContainers } from './list.js';
import type { ContainerRecord } from './record.js';

export interface PodRecord {
  /** the sandbox's container ID */
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** Ready while the sandbox's task runs, as CRI reports it */
  readonly state: 'Ready' | 'NotReady';
  readonly created: Date;
  /** the pod's containers in any state, sandbox not counted */
  readonly containers: number;
}

/**
 * The pods among `records` (newest first, as listContainers gives them). A pod whose sandbox was
 * recreated keeps its UID: its containers are counted for the newest sandbox only.
 */
export function podsOf(records: readonly ContainerRecord[]): PodRecord[] {
  const containersByUid = new Map<string, number>();
  for (const { kubernetes } of records) {
    if (kubernetes?.kind === 'container') containersByUid.set(kubernetes.podUid, (containersByUid.get(kubernetes.podUid) ?? 0) + 1);
  }
  const counted = new Set<string>();
  const pods: PodRecord[] = [];
  for (const record of records) {
    const { kubernetes } = record;
    if (kubernetes?.kind !== 'sandbox') continue;
    const first = !counted.has(kubernetes.podUid);
    counted.add(kubernetes.podUid);
    pods.push({
      id: record.id,
      name: kubernetes.podName,
      namespace: kubernetes.podNamespace,
      uid: kubernetes.podUid,
      state: record.task?.status === 'RUNNING' ? 'Ready' : 'NotReady',
      created: record.created,
      containers: first ? (containersByUid.get(kubernetes.podUid) ?? 0) : 0,
    });
  }
  return pods;
}

export async function listPods(context: RuntimeContext): Promise<PodRecord[]> {
  return podsOf(await listContainers(context, { withoutExtensions: true }));
}

/** One row for `pods --format`: fields in the order `{{json .}}` prints them. */
export function podRow(pod: PodRecord, options: { readonly truncate: boolean; readonly now: number }): Record<string, unknown> {
  const id = options.truncate ? pod.id.slice(0, 12) : pod.id;
  return {
    Containers: pod.containers,
    CreatedAt: formatValue(pod.created),
    CreatedSince: `${humanDuration(options.now - pod.created.getTime())} ago`,
    ID: id,
    Name: pod.name,
    Namespace: pod.namespace,
    PodID: id,
    State: pod.state,
    UID: pod.uid,
  };
}
