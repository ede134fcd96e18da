// Guard rails for the kubelet's objects in `k8s.io`: the kubelet owns every sandbox and
// container the CRI plugin made, and acts on what happens to them (a stopped container is
// replaced, a removed one created again). berth still lets an admin stop or remove them, but
// says so, wants `-f` to remove one, and does it through CRI so that CRI's own records stay
// true. The decisions are pure; the calls are in runtime-service.ts.

import { BerthError, usageError } from '../../errors.js';
import { kubernetesInfo, kubernetesName } from '../containers/kubernetes.js';
import { CRI_LABELS } from '../containers/labels.js';

export interface KubeletObject {
  readonly id: string;
  readonly kind: 'sandbox' | 'container';
  /** `k8s://ns/pod[/container]`, or the ID when the kubelet's labels are missing */
  readonly name: string;
}

/** The CRI plugin's kind label marks what it created for the kubelet; anything else is not theirs. */
export function kubeletObject(container: { readonly id: string; readonly labels: Readonly<Record<string, string>> }): KubeletObject | undefined {
  const kind = container.labels[CRI_LABELS.kind];
  if (kind !== 'sandbox' && kind !== 'container') return undefined;
  const info = kubernetesInfo(container.labels);
  return { id: container.id, kind, name: info ? kubernetesName(info) : container.id };
}

export type GuardedAction = 'stop' | 'kill' | 'rm' | 'restart';

export interface GuardOptions {
  /** `rm -f` */
  readonly force?: boolean;
  /** `stop`/`restart` `--signal`: CRI stops with the image's own stop signal */
  readonly signal?: string;
}

export interface GuardDecision {
  /** for stderr */
  readonly warning: string;
  /** stop or remove through CRI's RuntimeService; false: through containerd (kill: CRI has no signals) */
  readonly throughCri: boolean;
}

function what(object: KubeletObject): string {
  return object.kind === 'sandbox' ? `pod sandbox ${object.name}` : `Kubernetes container ${object.name}`;
}

/** What berth does with `action` on a kubelet's object; throws when it refuses. */
export function guardDecision(action: GuardedAction, object: KubeletObject, options: GuardOptions = {}): GuardDecision {
  const subject = what(object);
  const replaced = object.kind === 'sandbox'
    ? 'the kubelet will create the pod again (with new containers) as long as it is scheduled on this node'
    : "the kubelet will create a new container in its place, as the pod's restartPolicy says";
  if ((action === 'stop' || action === 'restart') && options.signal !== undefined) {
    throw usageError(`--signal cannot be used with ${subject}: berth stops it through CRI, which sends the image's stop signal`);
  }
  switch (action) {
    case 'stop':
      return { throughCri: true, warning: `WARNING: ${subject} is managed by the kubelet: stopping it through CRI; ${replaced}` };
    case 'restart':
      return {
        throughCri: true,
        warning: `WARNING: ${subject} is managed by the kubelet, which never starts a stopped container again: stopping it through CRI; ${replaced}`,
      };
    case 'kill':
      return { throughCri: false, warning: `WARNING: ${subject} is managed by the kubelet: once it exits, ${replaced}` };
    case 'rm':
      if (!options.force) {
        throw new BerthError(
          'failed-precondition',
          `refusing to remove ${subject}: the kubelet manages it and would create it again; delete its pod through Kubernetes (kubectl), or use -f to remove it through CRI anyway`,
        );
      }
      return {
        throughCri: true,
        warning: object.kind === 'sandbox'
          ? `WARNING: removing ${subject} and its containers through CRI; ${replaced}`
          : `WARNING: removing ${subject} through CRI; ${replaced}`,
      };
  }
}
