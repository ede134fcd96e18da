// A small client of the CRI (runtime.v1) that the world's containerd serves on its own socket:
// what the kubelet would do, for tests and benches that need Kubernetes' containers in `k8s.io`.
// Messages come from the subset in cri.proto, parsed at load time by protobufjs' full build.

import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const PROTO = fileURLToPath(new URL('./cri.proto', import.meta.url));
const DECODE: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true, objects: true };
const DEADLINE_MS = 120_000;

export interface PodOptions {
  name: string;
  /** Kubernetes namespace; `default` when not given */
  namespace?: string;
  /** a random UUID when not given */
  uid?: string;
  /** the pod's log directory: container log paths are relative to it */
  logDirectory: string;
  labels?: Record<string, string>;
}

export interface Pod {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  logDirectory: string;
  /** as sent to RunPodSandbox; CreateContainer wants it again */
  config: Record<string, unknown>;
}

export interface ContainerOptions {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  /** relative to the pod's log directory; `<name>.log` when not given */
  logPath?: string;
  env?: Record<string, string>;
  tty?: boolean;
  stdin?: boolean;
  labels?: Record<string, string>;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: { image: string };
  imageRef: string;
  labels: Record<string, string>;
  logPath: string;
}

export interface CriContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  image: { image: string };
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  labels: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

/** Host network: the world's CNI conf dir is empty on purpose, so pods cannot have networks of their own. */
const HOST_NETWORK = { namespaceOptions: { network: 'NODE' } };

let root: protobuf.Root | undefined;

/** The labels the kubelet puts on every sandbox and container it asks for (containerd adds none of them). */
export const KUBELET_LABELS = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
} as const;

function podLabels(name: string, namespace: string, uid: string): Record<string, string> {
  return { [KUBELET_LABELS.podName]: name, [KUBELET_LABELS.podNamespace]: namespace, [KUBELET_LABELS.podUid]: uid };
}

export class CriClient {
  private readonly client: grpc.Client;

  constructor(address: string) {
    root ??= protobuf.loadSync(PROTO);
    this.client = new grpc.Client(`unix://${address}`, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  version(): Promise<{ version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return this.call('RuntimeService', 'Version', { version: 'v1' });
  }

  /** Pulls through CRI, so that the image is in `k8s.io` with CRI's own records; resolves to the image ID. */
  async pullImage(image: string): Promise<string> {
    const reply = await this.call<{ imageRef: string }>('ImageService', 'PullImage', { image: { image } });
    return reply.imageRef;
  }

  /** `undefined` when CRI does not know the image. */
  async imageStatus(image: string): Promise<{ id: string; repoTags: string[]; repoDigests: string[]; size: string } | undefined> {
    const reply = await this.call<{ image?: { id: string; repoTags: string[]; repoDigests: string[]; size: string } }>('ImageService', 'ImageStatus', { image: { image } });
    return reply.image && reply.image.id !== '' ? reply.image : undefined;
  }

  /** Runs a host-network sandbox; its log directory is created first, as the kubelet does. */
  async runPod(options: PodOptions): Promise<Pod> {
    const namespace = options.namespace ?? 'default';
    const uid = options.uid ?? randomUUID();
    await mkdir(options.logDirectory, { recursive: true });
    const config = {
      metadata: { name: options.name, uid, namespace, attempt: 0 },
      logDirectory: options.logDirectory,
      labels: { ...podLabels(options.name, namespace, uid), ...options.labels },
      linux: { securityContext: HOST_NETWORK },
    };
    const reply = await this.call<{ podSandboxId: string }>('RuntimeService', 'RunPodSandbox', { config });
    return { id: reply.podSandboxId, name: options.name, namespace, uid, logDirectory: options.logDirectory, config };
  }

  async createContainer(pod: Pod, options: ContainerOptions): Promise<string> {
    const config = {
      metadata: { name: options.name, attempt: 0 },
      image: { image: options.image },
      command: options.command ?? [],
      args: options.args ?? [],
      envs: Object.entries(options.env ?? {}).map(([key, value]) => ({ key, value })),
      labels: { ...podLabels(pod.name, pod.namespace, pod.uid), [KUBELET_LABELS.containerName]: options.name, ...options.labels },
      logPath: options.logPath ?? `${options.name}.log`,
      tty: options.tty ?? false,
      stdin: options.stdin ?? false,
      linux: { securityContext: HOST_NETWORK },
    };
    const reply = await this.call<{ containerId: string }>('RuntimeService', 'CreateContainer', { podSandboxId: pod.id, config, sandboxConfig: pod.config });
    return reply.containerId;
  }

  async startContainer(id: string): Promise<void> {
    await this.call('RuntimeService', 'StartContainer', { containerId: id });
  }

  async runContainer(pod: Pod, options: ContainerOptions): Promise<string> {
    const id = await this.createContainer(pod, options);
    await this.startContainer(id);
    return id;
  }

  /** `timeoutSeconds` 0 kills at once, as the kubelet does for a zero grace period. */
  async stopContainer(id: string, timeoutSeconds = 0): Promise<void> {
    await this.call('RuntimeService', 'StopContainer', { containerId: id, timeout: timeoutSeconds });
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('RuntimeService', 'RemoveContainer', { containerId: id });
  }

  async stopPod(id: string): Promise<void> {
    await this.call('RuntimeService', 'StopPodSandbox', { podSandboxId: id });
  }

  /** Also removes the pod's containers. */
  async removePod(id: string): Promise<void> {
    await this.call('RuntimeService', 'RemovePodSandbox', { podSandboxId: id });
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const reply = await this.call<{ status: ContainerStatus }>('RuntimeService', 'ContainerStatus', { containerId: id });
    return reply.status;
  }

  async listContainers(filter: ContainerFilter = {}): Promise<CriContainer[]> {
    const reply = await this.call<{ containers: CriContainer[] }>('RuntimeService', 'ListContainers', { filter });
    return reply.containers;
  }

  private call<T>(service: 'RuntimeService' | 'ImageService', method: string, request: object): Promise<T> {
    const rpc = root!.lookupService(`runtime.v1.${service}`).methods[method];
    rpc.resolve();
    const requestType = rpc.resolvedRequestType!;
    const responseType = rpc.resolvedResponseType!;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/runtime.v1.${service}/${method}`,
        (value: object) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
        (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), DECODE) as T,
        request,
        { deadline: Date.now() + DEADLINE_MS },
        (err, reply) => (err ? reject(new Error(`CRI ${method}: ${err.message}`)) : resolve(reply as T)),
      );
    });
  }
}

/**
 * Runs `work` with a fresh host-network pod (log directory under `tmp`); the pod and its containers
 * are stopped and removed afterwards whatever happens, as the kubelet would clean up after itself.
 */
export async function withPod<T>(cri: CriClient, tmp: string, options: Omit<PodOptions, 'logDirectory'>, work: (pod: Pod) => Promise<T>): Promise<T> {
  const pod = await cri.runPod({ ...options, logDirectory: join(tmp, 'pods', `${options.name}-${randomUUID().slice(0, 8)}`) });
  try {
    return await work(pod);
  } finally {
    await removePod(cri, pod.id);
  }
}

/**
 * Stops and removes a pod with its containers. A stop can fail with "ttrpc: closed" when a
 * container exits just as containerd kills it (its shim is going away): the kubelet tries again,
 * and so does this.
 */
export async function removePod(cri: CriClient, id: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await cri.stopPod(id);
      break;
    } catch (error) {
      if (attempt >= 3 || !/ttrpc: closed/.test(String((error as Error).message))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await cri.removePod(id);
}
