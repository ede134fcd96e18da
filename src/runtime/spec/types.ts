// The part of the OCI runtime spec (config.json) that berth writes, typed as the runtime reads
// it. Field names are the spec's own, so a Spec serialises straight into containerd's
// `Container.spec` Any.

export interface Spec {
  ociVersion: string;
  process: Process;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts: Mount[];
  annotations?: Record<string, string>;
  linux: Linux;
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Capabilities;
  rlimits: Rlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface Capabilities {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
}

export interface Rlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface Mount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface Linux {
  namespaces: { type: NamespaceType; path?: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  cgroupsPath: string;
  resources: Resources;
  /** device nodes the runtime creates in the container's /dev (the host's, under --privileged) */
  devices?: LinuxDevice[];
  seccomp?: Seccomp;
  sysctl?: Record<string, string>;
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export type NamespaceType = 'pid' | 'ipc' | 'uts' | 'mount' | 'network' | 'user' | 'cgroup';

export interface Resources {
  devices: DeviceRule[];
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; realtimeRuntime?: number; realtimePeriod?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: BlockIO;
}

export interface BlockIO {
  weight?: number;
  weightDevice?: { major: number; minor: number; weight: number }[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export interface ThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface DeviceRule {
  allow: boolean;
  type?: 'a' | 'b' | 'c';
  major?: number;
  minor?: number;
  access: string;
}

export interface Seccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  flags?: string[];
  syscalls: SeccompSyscall[];
}

export interface SeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}
