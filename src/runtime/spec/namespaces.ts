// The namespaces a container keeps private or shares: --pid, --ipc (with its /dev/shm and
// --shm-size), --uts, --cgroupns, and the --sysctl values that only make sense inside them.

import { BerthError } from '../../errors.js';
import type { Mount, NamespaceType, Spec } from './types.js';

/** The System V IPC sysctls, which the IPC namespace holds (runc's list). */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced',
]);

function hasNamespace(spec: Spec, type: NamespaceType): boolean {
  return spec.linux.namespaces.some((namespace) => namespace.type === type);
}

function withoutNamespace(spec: Spec, type: NamespaceType): void {
  spec.linux.namespaces = spec.linux.namespaces.filter((namespace) => namespace.type !== type);
}

/** A new namespace of `type`, or the one at `path` (another process's /proc/<pid>/ns/<type>). */
function withNamespace(spec: Spec, type: NamespaceType, path?: string): void {
  withoutNamespace(spec, type);
  spec.linux.namespaces.push(path === undefined ? { type } : { type, path });
}

/** `--pid host` shares the host's PID namespace; `container:<id>` joins that container's (at `joinPath`). */
export function withPidMode(spec: Spec, mode: string | undefined, joinPath?: string): void {
  if (mode === 'host') withoutNamespace(spec, 'pid');
  else if (mode?.startsWith('container:')) withNamespace(spec, 'pid', joinPath);
}

/** How a container's /dev/shm is provided, by --ipc mode. */
export interface IpcJoin {
  /** /proc/<pid>/ns/ipc of the container joined */
  readonly namespace: string;
  /** that container's /dev/shm, seen from the host */
  readonly shm: string;
}

const shmBind = (source: string): Mount => ({ destination: '/dev/shm', type: 'bind', source, options: ['rbind', 'rprivate'] });

/**
 * --ipc and --shm-size. `private`/`shareable` (the default): a namespace of its own and a
 * /dev/shm tmpfs of `shmSize` bytes (the default's 64 MiB when absent); `none`: no /dev/shm at all; `host`: the host's IPC
 * namespace and /dev/shm; `container:<id>`: that container's, /dev/shm included. A shareable
 * container's /dev/shm is the host directory `shareableShm`, which joiners mount too.
 */
export function withIpcMode(spec: Spec, mode: string | undefined, shmSize?: number, join?: IpcJoin, shareableShm?: string): void {
  const others = spec.mounts.filter((mount) => mount.destination !== '/dev/shm');
  const shm = spec.mounts.find((mount) => mount.destination === '/dev/shm');
  if (mode === 'host') {
    withoutNamespace(spec, 'ipc');
    spec.mounts = [...others, shmBind('/dev/shm')];
  } else if (mode?.startsWith('container:')) {
    if (!join) throw new BerthError('internal', `--ipc ${mode}: the container to join was not resolved`);
    withNamespace(spec, 'ipc', join.namespace);
    spec.mounts = [...others, shmBind(join.shm)];
  } else if (mode === 'shareable' && shareableShm !== undefined) {
    withNamespace(spec, 'ipc');
    spec.mounts = [...others, shmBind(shareableShm)];
  } else if (mode === 'none') {
    spec.mounts = others;
  } else if (shm && shmSize !== undefined) {
    shm.options = [...shm.options.filter((option) => !option.startsWith('size=')), `size=${shmSize}`];
  }
}

/** `--uts host`: the host's hostname and domain name, which the container then cannot set. */
export function withUtsMode(spec: Spec, mode: string | undefined): void {
  if (mode !== 'host') return;
  withoutNamespace(spec, 'uts');
  delete spec.hostname;
  delete spec.domainname;
}

/** `--cgroupns private`: the container sees its own cgroup as the root; `host` (cgroup v1's default) shows the host's tree. */
export function withCgroupnsMode(spec: Spec, mode: string | undefined): void {
  if (mode === 'private') withNamespace(spec, 'cgroup');
  else withoutNamespace(spec, 'cgroup');
}

/**
 * `--sysctl`: only values that live in a namespace the container has of its own, as runc
 * insists; said here, naming the sysctl, rather than by runc when the container starts.
 */
export function withSysctls(spec: Spec, sysctls: Readonly<Record<string, string>>): void {
  const entries = Object.entries(sysctls);
  if (entries.length === 0) return;
  for (const [name] of entries) {
    const key = name.replaceAll('/', '.');
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      if (!hasNamespace(spec, 'ipc')) throw sysctlError(`sysctl ${JSON.stringify(key)} is not allowed in the hosts ipc namespace`);
    } else if (key.startsWith('net.')) {
      if (!hasNamespace(spec, 'network')) throw sysctlError(`sysctl ${JSON.stringify(key)} not allowed in host network namespace`);
    } else if (key === 'kernel.domainname' && hasNamespace(spec, 'uts')) {
      continue;
    } else if (key === 'kernel.hostname' && hasNamespace(spec, 'uts')) {
      throw sysctlError(`sysctl ${JSON.stringify(key)} is not allowed as it conflicts with the OCI "hostname" field`);
    } else {
      throw sysctlError(`sysctl ${JSON.stringify(key)} is not in a separate kernel namespace`);
    }
  }
  spec.linux.sysctl = { ...spec.linux.sysctl, ...Object.fromEntries(entries) };
}

function sysctlError(message: string): BerthError {
  return new BerthError('invalid-argument', message, { exitCode: 125 });
}
