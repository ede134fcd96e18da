// Capability arithmetic for --cap-add, --cap-drop and --privileged, by Docker's rules.

import { readFileSync } from 'node:fs';
import { usageError } from '../../errors.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';
import type { Spec } from './types.js';

/** Every capability Linux defines, indexed by its number (include/uapi/linux/capability.h). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** The highest capability number the running kernel knows; all of ours if it cannot be read. */
export function hostLastCap(): number {
  try {
    return Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
  } catch {
    return CAPABILITY_NAMES.length - 1;
  }
}

/**
 * berth's own bounding set: runc cannot grant a capability it lacks itself (root in a container
 * here has no CAP_SYS_RESOURCE), so ALL and --privileged mean what berth has, as in Docker.
 */
export function hostCapabilityMask(): bigint | undefined {
  try {
    const match = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? BigInt(`0x${match[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

/** The capabilities a kernel whose last capability is `lastCap` supports (within `mask`): what ALL means. */
export function allCapabilities(lastCap: number, mask?: bigint): string[] {
  return CAPABILITY_NAMES.slice(0, lastCap + 1).filter((_, bit) => mask === undefined || ((mask >> BigInt(bit)) & 1n) === 1n);
}

/** `chown`, `CHOWN` and `cap_chown` all name CAP_CHOWN; `all` is ALL. Unknown names are refused. */
function normalize(names: readonly string[]): string[] {
  return names.map((name) => {
    const upper = name.trim().toUpperCase();
    if (upper === 'ALL') return 'ALL';
    const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!CAPABILITY_NAMES.includes(full)) throw usageError(`unknown capability: ${JSON.stringify(full)}`);
    return full;
  });
}

/**
 * Docker's TweakCapabilities: ALL in --cap-add grants every capability but the dropped ones;
 * otherwise ALL in --cap-drop leaves exactly the added ones; otherwise drop from the defaults,
 * then add. --privileged grants everything and ignores both lists.
 */
export function effectiveCapabilities(add: readonly string[], drop: readonly string[], privileged: boolean, lastCap: number, mask?: bigint): string[] {
  if (privileged) return allCapabilities(lastCap, mask);
  const adds = normalize(add);
  const drops = normalize(drop);
  let result: string[];
  if (adds.includes('ALL')) result = allCapabilities(lastCap, mask).filter((cap) => !drops.includes(cap));
  else if (drops.includes('ALL')) result = adds;
  else result = [...DEFAULT_CAPABILITIES.filter((cap) => !drops.includes(cap)), ...adds];
  return [...new Set(result)];
}

/** Sets the bounding, effective and permitted sets; inheritable and ambient stay empty, as in Docker. */
export function withCapabilities(
  spec: Spec,
  add: readonly string[],
  drop: readonly string[],
  privileged: boolean,
  lastCap: number = hostLastCap(),
  mask?: bigint,
): void {
  const caps = effectiveCapabilities(add, drop, privileged, lastCap, mask);
  spec.process.capabilities = { bounding: caps, effective: [...caps], inheritable: [], permitted: [...caps], ambient: [] };
}

/**
 * --privileged: every capability, nothing masked or read-only, /sys and cgroupfs writable, and
 * every device allowed. Creating the host's device nodes in the container needs the host's /dev,
 * so the runtime does that when it sees HostConfig.Privileged.
 */
export function withPrivileged(spec: Spec, lastCap: number = hostLastCap(), mask?: bigint): void {
  withCapabilities(spec, [], [], true, lastCap, mask);
  spec.linux.maskedPaths = [];
  spec.linux.readonlyPaths = [];
  spec.linux.resources.devices = [{ allow: true, access: 'rwm' }];
  for (const mount of spec.mounts) {
    if (mount.destination === '/sys' || mount.destination === '/sys/fs/cgroup') {
      mount.options = mount.options.map((option) => (option === 'ro' ? 'rw' : option));
    }
  }
}
