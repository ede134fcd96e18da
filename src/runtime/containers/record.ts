// One container as berth's commands see it: containerd's container record joined with its
// task, decoded once. `ps` reads only labels; `inspect` also parses the spec and the intent.

import type { Container } from '../containerd/types.js';
import type { HealthState } from '../health/state.js';
import type { KubernetesInfo } from './kubernetes.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface TaskSnapshot {
  /** containerd task status: CREATED, RUNNING, STOPPED, PAUSED, PAUSING, UNKNOWN */
  readonly status: string;
  readonly pid: number;
  readonly exitStatus: number;
  /** undefined while running */
  readonly exitedAt?: Date;
}

export interface ContainerRecord {
  readonly id: string;
  /** Docker name without the leading slash; `k8s://…` for Kubernetes' (see kubernetes.ts) */
  readonly name: string;
  /** containerd's record, spec and extensions still encoded */
  readonly container: Container;
  /** for a sandbox or container of Kubernetes (CRI's, in `k8s.io`): its pod and names */
  readonly kubernetes?: KubernetesInfo;
  /** labels the user (and the image) set; berth's own `berth/…` labels left out */
  readonly userLabels: Readonly<Record<string, string>>;
  readonly created: Date;
  /** the task of the init process, when there is one */
  readonly task?: TaskSnapshot;
  /** Docker's state, from the task or, without one, from berth's exit labels */
  readonly status: ContainerStatus;
  readonly exitCode: number;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  /** entrypoint + cmd as run */
  readonly command: readonly string[];
  readonly imageAsTyped: string;
  readonly imageId: string;
  /** State.Health: only for a container with a health check that has been started */
  readonly health?: HealthState;
}
