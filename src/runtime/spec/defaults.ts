// The spec every container starts from: Docker's defaults (moby's oci/defaults.go), with
// containerd's NOFILE limit and cgroup path. Later options (spec/*.ts) only adjust it.

import type { DeviceRule, Mount, Spec } from './types.js';

/** The capabilities Docker grants a container that asks for nothing more or less. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Docker's PATH for a container whose image and user set none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Paths that leak host information or let a container poke the host kernel: hidden. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Kernel knobs that stay visible but must not be written. */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const char = (major: number, minor: number): DeviceRule => ({ allow: true, type: 'c', major, minor, access: 'rwm' });

/**
 * Deny every device, then allow the ones runc creates in /dev (null, zero, full, random,
 * urandom, tty, console, the container's own ptmx and ptys). FUSE is denied explicitly, as
 * Docker does, so a later "allow all char devices" rule cannot let it in by accident.
 */
const DEVICE_RULES: readonly DeviceRule[] = [
  { allow: false, access: 'rwm' },
  char(1, 3), // null
  char(1, 5), // zero
  char(1, 7), // full
  char(1, 8), // random
  char(1, 9), // urandom
  char(5, 0), // tty
  char(5, 1), // console
  char(5, 2), // ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // fuse
];

const mount = (destination: string, type: string, source: string, options: string[]): Mount => ({ destination, type, source, options });

export function defaultSpec(namespace: string, id: string): Spec {
  return {
    ociVersion: '1.1.0',
    process: {
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPABILITIES],
        effective: [...DEFAULT_CAPABILITIES],
        inheritable: [],
        permitted: [...DEFAULT_CAPABILITIES],
        ambient: [],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      // Docker leaves setuid binaries working unless `--security-opt no-new-privileges` is given.
      noNewPrivileges: false,
    },
    root: { path: 'rootfs' },
    mounts: [
      mount('/proc', 'proc', 'proc', ['nosuid', 'noexec', 'nodev']),
      mount('/dev', 'tmpfs', 'tmpfs', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']),
      mount('/dev/pts', 'devpts', 'devpts', ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']),
      mount('/dev/shm', 'tmpfs', 'shm', ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']),
      mount('/dev/mqueue', 'mqueue', 'mqueue', ['nosuid', 'noexec', 'nodev']),
      mount('/sys', 'sysfs', 'sysfs', ['nosuid', 'noexec', 'nodev', 'ro']),
      mount('/sys/fs/cgroup', 'cgroup', 'cgroup', ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      cgroupsPath: `/${namespace}/${id}`,
      resources: { devices: DEVICE_RULES.map((rule) => ({ ...rule })) },
    },
  };
}
