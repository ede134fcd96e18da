// What `version` and `info` report about containerd and this host.

import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, machine, release, totalmem } from 'node:os';
import type { RuntimeContext } from './context.js';
import type { Container, Image, Plugin, Process } from './containerd/types.js';
import { stateDirectory } from '../config/config.js';
import { volumesDirectory } from './paths.js';
import { readdir } from 'node:fs/promises';

export const DEFAULT_RUNTIME = 'io.containerd.runc.v2';

export interface ServerVersion {
  readonly Version: string;
  readonly GitCommit: string;
}

export async function serverVersion(context: RuntimeContext): Promise<ServerVersion> {
  const response = await context.containerd.unary<{ version: string; revision: string }>('version', 'Version', {}, { namespace: null });
  return { Version: response.version, GitCommit: response.revision };
}

export interface SystemInfo {
  readonly ID: string;
  readonly Name: string;
  readonly Namespace: string;
  readonly Containers: number;
  readonly ContainersRunning: number;
  readonly ContainersPaused: number;
  readonly ContainersStopped: number;
  readonly Images: number;
  readonly Volumes: number;
  readonly Driver: string;
  readonly Snapshotters: string[];
  readonly DefaultRuntime: string;
  readonly CgroupDriver: string;
  readonly CgroupVersion: string;
  readonly KernelVersion: string;
  readonly OperatingSystem: string;
  readonly OSType: string;
  readonly Architecture: string;
  readonly NCPU: number;
  readonly MemTotal: number;
  readonly ServerVersion: string;
  readonly ContainerdCommit: string;
  readonly ContainerdAddress: string;
  readonly BerthRootDir: string;
  readonly CniPath: string;
  readonly CniNetconfPath: string;
  readonly InsecureRegistries: readonly string[];
  readonly Debug: boolean;
}

function operatingSystem(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (match) return match[1];
  } catch {
    // fall through to the kernel's name
  }
  return 'Linux';
}

function cgroupVersion(): string {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
}

export async function systemInfo(context: RuntimeContext): Promise<SystemInfo> {
  const { containerd, config } = context;
  const [version, server, plugins, containers, tasks, images, volumes] = await Promise.all([
    serverVersion(context),
    containerd.unary<{ uuid: string }>('introspection', 'Server', {}, { namespace: null }),
    containerd.unary<{ plugins: Plugin[] }>('introspection', 'Plugins', { filters: ['type==io.containerd.snapshotter.v1'] }, { namespace: null }),
    containerd.collect<{ container: Container }>('containers', 'ListStream', { filters: [] }),
    containerd.unary<{ tasks: Process[] }>('tasks', 'List', {}),
    containerd.unary<{ images: Image[] }>('images', 'List', { filters: [] }),
    readdir(volumesDirectory(config, config.namespace)).then((entries) => entries.filter((entry) => !entry.startsWith('.')).length, () => 0),
  ]);
  const statusById = new Map(tasks.tasks.map((task) => [task.id, task.status]));
  let running = 0;
  let paused = 0;
  for (const { container } of containers) {
    const status = statusById.get(container.id);
    if (status === 'RUNNING') running += 1;
    else if (status === 'PAUSED' || status === 'PAUSING') paused += 1;
  }
  return {
    ID: server.uuid,
    Name: hostname(),
    Namespace: config.namespace,
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.length - running - paused,
    Images: images.images.length,
    Volumes: volumes,
    Driver: config.snapshotter,
    Snapshotters: plugins.plugins.filter((plugin) => !plugin.init_err).map((plugin) => plugin.id).sort(),
    DefaultRuntime: DEFAULT_RUNTIME,
    CgroupDriver: 'cgroupfs',
    CgroupVersion: cgroupVersion(),
    KernelVersion: release(),
    OperatingSystem: operatingSystem(),
    OSType: 'linux',
    Architecture: machine(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    ServerVersion: version.Version,
    ContainerdCommit: version.GitCommit,
    ContainerdAddress: config.address,
    BerthRootDir: stateDirectory(config),
    CniPath: config.cniPath,
    CniNetconfPath: config.cniNetconfPath,
    InsecureRegistries: [...config.insecureRegistries],
    Debug: config.debug,
  };
}


