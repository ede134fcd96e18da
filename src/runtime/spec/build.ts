// The whole OCI spec for a container: Docker's defaults, then the image config, then each
// part of the request, every step one of the named functions in spec/*.ts.

import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { BerthError, usageError } from '../../errors.js';
import type { ImageConfig } from '../../image/manifest.js';
import type { CreateIntent } from '../intent.js';
import { hostCapabilityMask, hostLastCap, withCapabilities, withPrivileged } from './capabilities.js';
import { defaultSpec } from './defaults.js';
import { hostBlockDevice, hostDevicesAt, readHostDevices, withDeviceCgroupRules, withDevices, type FoundDevices } from './devices.js';
import { withImageConfig } from './image-config.js';
import { splitBind, withBindMounts, withMounts, withReadonlyRootfs, withTmpfs, withVolumeMounts, type VolumeBind } from './mounts.js';
import { withCgroupnsMode, withIpcMode, withPidMode, withSysctls, withUtsMode, type IpcJoin } from './namespaces.js';
import { withAnnotations, withNetworkMode, withNoNewPrivileges, withOomScoreAdj, withTerminal } from './process.js';
import { withCgroupParent, withResources, withUlimits, type BlockDeviceLookup } from './resources.js';
import { hostSeccompTarget, withSeccomp, type SeccompTarget } from './seccomp.js';
import type { LinuxDevice, Mount, Spec } from './types.js';
import { withUser } from './user.js';

/** Where Docker puts its init in the container; berth mounts the host's tini-static there. */
export const INIT_PATH = '/sbin/docker-init';

/** Debian's `tini` package installs a static tini here, which runs in any image. */
export const DEFAULT_INIT_BINARY = '/usr/bin/tini-static';

export interface SpecInput {
  readonly namespace: string;
  readonly id: string;
  readonly intent: CreateIntent;
  readonly imageConfig: ImageConfig;
  /** the container's hostname: --hostname, the host's under --network host, else the short ID */
  readonly hostname: string;
  /** host paths of the container's /etc/hostname, /etc/hosts and /etc/resolv.conf */
  readonly etcFiles?: { readonly hostname: string; readonly hosts: string; readonly resolvConf: string };
  /** the image's /etc/passwd and /etc/group, undefined when it has none */
  readonly passwd?: string;
  readonly group?: string;
  /** host path of the init binary; required with --init */
  readonly initBinary?: string;
  /** the Docker-format seccomp profile's JSON; undefined runs unconfined */
  readonly seccompProfile?: string;
  /** the kernel's last capability; the running kernel's when absent */
  readonly lastCap?: number;
  /** --privileged: the host's devices; read from /dev when absent */
  readonly hostDevices?: readonly LinuxDevice[];
  readonly seccompTarget?: SeccompTarget;
  /** the network namespace berth attached to the container's network (bridge mode) */
  readonly netnsPath?: string;
  /** the namespaces of other containers that --pid/--ipc container:<id> join */
  readonly joins?: { readonly pid?: string; readonly ipc?: IpcJoin };
  /** --ipc shareable: the host directory that is the container's /dev/shm */
  readonly shareableShm?: string;
  /** --device and blkio paths → the host's devices; the host's /dev when absent */
  readonly devices?: (path: string) => FoundDevices;
  readonly blockDevice?: BlockDeviceLookup;
  /** the container's volumes, resolved (created, found, taken over by --volumes-from) */
  readonly volumes?: readonly VolumeBind[];
}

/** A read-write (or, under --read-only, read-only) private bind, as Docker mounts its own files. */
function etcMount(destination: string, source: string, readonly: boolean): Mount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', readonly ? 'ro' : 'rw'] };
}

/** Whether `--security-opt no-new-privileges[=bool]` is in force; the last mention wins. */
export function noNewPrivileges(securityOpt: readonly string[]): boolean {
  let enabled = false;
  for (const option of securityOpt) {
    const match = /^no-new-privileges(?:[=:](.*))?$/.exec(option);
    if (match) enabled = match[1] === undefined || ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(match[1]);
  }
  return enabled;
}

function depth(path: string): number {
  return path.split('/').filter((part) => part !== '').length;
}

/**
 * --init: the process becomes `docker-init -- ARGS`, tini reaping zombies and forwarding
 * signals, from the host's static binary mounted read-only.
 */
export function withInit(spec: Spec, initBinary: string | undefined): void {
  if (!initBinary || !existsSync(initBinary)) {
    throw new BerthError(
      'failed-precondition',
      `--init needs a static tini at ${initBinary ?? DEFAULT_INIT_BINARY}, which is missing: install Debian's tini package`,
      { exitCode: 125 },
    );
  }
  spec.process.args = [INIT_PATH, '--', ...spec.process.args];
  spec.mounts = spec.mounts.filter((mount) => mount.destination !== INIT_PATH);
  spec.mounts.push({ destination: INIT_PATH, type: 'bind', source: initBinary, options: ['bind', 'ro'] });
}

/** --privileged: the runtime creates each of the host's device nodes in the container's /dev. */
export function withHostDevices(spec: Spec, devices: readonly LinuxDevice[]): void {
  spec.linux.devices = devices.map((device) => ({ ...device }));
}

export function buildSpec(input: SpecInput): Spec {
  const { intent } = input;
  const host = intent.HostConfig;
  const lastCap = input.lastCap ?? hostLastCap();
  // a given lastCap describes another kernel (tests); the host's own bounding set applies otherwise
  const mask = input.lastCap === undefined ? hostCapabilityMask() : undefined;
  const spec = defaultSpec(input.namespace, input.id);
  const defaultMounts = spec.mounts.length;

  withImageConfig(spec, input.imageConfig, intent, input.hostname);
  const user = intent.User || input.imageConfig.config?.User || '';
  withUser(spec, user, input.passwd ?? '', input.group ?? '', host.GroupAdd ?? []);
  if (intent.Tty) withTerminal(spec, intent.HostConfig.ConsoleSize ?? undefined);
  withNamespaceModes(spec, host, input.joins, input.shareableShm);

  if (host.Privileged) {
    withPrivileged(spec, lastCap, mask);
    withHostDevices(spec, input.hostDevices ?? readHostDevices());
  } else {
    withCapabilities(spec, host.CapAdd ?? [], host.CapDrop ?? [], false, lastCap, mask);
    // after the capabilities: a profile's rules depend on them
    if (input.seccompProfile !== undefined) withSeccomp(spec, input.seccompProfile, input.seccompTarget ?? hostSeccompTarget());
  }
  if (host.MaskedPaths) spec.linux.maskedPaths = [...host.MaskedPaths];
  if (host.ReadonlyPaths) spec.linux.readonlyPaths = [...host.ReadonlyPaths];
  if (noNewPrivileges(host.SecurityOpt ?? [])) withNoNewPrivileges(spec);

  if (host.ReadonlyRootfs) withReadonlyRootfs(spec);
  for (const [path, options] of Object.entries(host.Tmpfs ?? {})) withTmpfs(spec, path, options);
  withBindMounts(spec, host.Binds ?? []);
  withMounts(spec, host.Mounts ?? []);
  withVolumeMounts(spec, input.volumes ?? []);

  // Docker's own files, unless the user mounted something there.
  if (input.etcFiles) {
    const taken = new Set(spec.mounts.slice(defaultMounts).map((mount) => mount.destination));
    const files: [string, string][] = [
      ['/etc/resolv.conf', input.etcFiles.resolvConf],
      ['/etc/hostname', input.etcFiles.hostname],
      ['/etc/hosts', input.etcFiles.hosts],
    ];
    for (const [destination, source] of files) {
      if (!taken.has(destination)) spec.mounts.push(etcMount(destination, source, host.ReadonlyRootfs === true));
    }
  }
  if (host.Init) withInit(spec, input.initBinary);

  // A parent directory is mounted before what is mounted inside it, whatever the flag order.
  const added = spec.mounts.splice(defaultMounts).map((mount, index) => ({ mount, index }));
  added.sort((a, b) => depth(a.mount.destination) - depth(b.mount.destination) || a.index - b.index);
  spec.mounts.push(...added.map(({ mount }) => mount));

  withResources(spec, host, input.blockDevice ?? hostBlockDevice);
  withUlimits(spec, host.Ulimits ?? []);
  withAnnotations(spec, host.Annotations ?? {});
  withNetworkMode(spec, host.NetworkMode ?? 'none', input.netnsPath);
  withHostResources(spec, host, input);
  return spec;
}

/** --pid, --ipc with --shm-size, --uts, --cgroupns: before the user's mounts, which may replace /dev/shm. */
function withNamespaceModes(spec: Spec, host: CreateIntent['HostConfig'], joins: SpecInput['joins'], shareableShm: string | undefined): void {
  withPidMode(spec, host.PidMode, joins?.pid);
  withIpcMode(spec, host.IpcMode, host.ShmSize || undefined, joins?.ipc, shareableShm);
  withUtsMode(spec, host.UTSMode);
  withCgroupnsMode(spec, host.CgroupnsMode);
}

/** The cgroup settings beyond --memory/--cpus/--pids-limit, devices, the OOM score and sysctls (which depend on the namespaces). */
function withHostResources(spec: Spec, host: CreateIntent['HostConfig'], input: SpecInput): void {
  withDevices(spec, host.Devices ?? [], input.devices ?? hostDevicesAt);
  withDeviceCgroupRules(spec, host.DeviceCgroupRules ?? []);
  withCgroupParent(spec, host.CgroupParent, input.id);
  withOomScoreAdj(spec, host.OomScoreAdj);
  withSysctls(spec, host.Sysctls ?? {});
}

export interface RuntimeOptions {
  /** containerd's runtime (shim) name */
  readonly name: 'io.containerd.runc.v2';
  /** runc options' BinaryName: another runc-compatible binary, by absolute path */
  readonly binaryName?: string;
}

/**
 * `--runtime`: runc by its names, or a runc-compatible binary by absolute path, which the runc
 * shim runs in runc's place.
 */
export function runtimeOptions(runtime: string | undefined): RuntimeOptions {
  if (runtime === undefined || runtime === '' || runtime === 'io.containerd.runc.v2' || runtime === 'runc') {
    return { name: 'io.containerd.runc.v2' };
  }
  if (!runtime.startsWith('/')) throw usageError(`unknown or invalid runtime name: ${runtime}`);
  try {
    accessSync(runtime, constants.X_OK);
    if (!statSync(runtime).isFile()) throw new Error('not a file');
  } catch {
    throw usageError(`unknown or invalid runtime name: ${runtime}: not an executable file`);
  }
  return { name: 'io.containerd.runc.v2', binaryName: runtime };
}

/**
 * What Docker's daemon does with bind sources before it creates a container: a missing `-v`
 * source directory is created, a missing `--mount` source is an error.
 */
export function prepareBindSources(intent: CreateIntent): void {
  for (const bind of intent.HostConfig.Binds ?? []) {
    const { source, volume } = splitBind(bind);
    if (!volume && !existsSync(source)) mkdirSync(source, { recursive: true, mode: 0o755 });
  }
  for (const mount of intent.HostConfig.Mounts ?? []) {
    if (mount.Type === 'bind' && !existsSync(mount.Source)) {
      throw usageError(`invalid mount config for type "bind": bind source path does not exist: ${mount.Source}`);
    }
  }
}
