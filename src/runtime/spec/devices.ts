// The host's device nodes, for --privileged and --device: runc creates each one in the
// container's /dev; --device and --device-cgroup-rule also open the device cgroup to them.

import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { DeviceMapping } from '../intent.js';
import type { DeviceRule, LinuxDevice, Spec } from './types.js';

/** Directories of /dev that are per-container or virtual: runc sets them up itself. */
const SKIPPED_DIRECTORIES = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
/** The console is the container's own (its pty); ptmx becomes a link to the container's pts. */
const SKIPPED_FILES = new Set(['/dev/console', '/dev/ptmx']);

const S_IFMT = 0o170000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

/** Linux's dev_t encoding (glibc's gnu_dev_major/minor). */
function majorOf(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

function minorOf(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

/** A character or block device node as the runtime creates it. */
function deviceNode(path: string, stats: BigIntStats): LinuxDevice {
  return {
    path,
    type: (stats.mode & S_IFMT) === S_IFCHR ? 'c' : 'b',
    major: majorOf(stats.rdev),
    minor: minorOf(stats.rdev),
    fileMode: Number(stats.mode & 0o777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
  };
}

export function readHostDevices(root = '/dev'): LinuxDevice[] {
  const devices: LinuxDevice[] = [];
  const walk = (directory: string): void => {
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(directory, name);
      let stats;
      try {
        stats = lstatSync(path, { bigint: true, throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (!stats) continue;
      if (stats.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(name)) walk(path);
        continue;
      }
      // symlinks (/dev/stdin, /dev/fd …) are not devices: lstat leaves them out
      const format = stats.mode & S_IFMT;
      if ((format !== S_IFCHR && format !== S_IFBLK) || SKIPPED_FILES.has(path)) continue;
      devices.push(deviceNode(path, stats));
    }
  };
  walk(root);
  return devices;
}

/** What Docker says when a `--device` path is not one, or not there. */
function deviceError(path: string, reason: string): BerthError {
  return new BerthError('invalid-argument', `error gathering device information while adding custom device ${JSON.stringify(path)}: ${reason}`, { exitCode: 125 });
}

/** What a `--device` host path holds: its device node, or the devices under a directory. */
export interface FoundDevices {
  /** the resolved directory, when the path named one */
  readonly directory?: string;
  readonly devices: LinuxDevice[];
}

/** The host's device node at `path` (symlinks followed); a directory gives every device under it. */
export function hostDevicesAt(path: string): FoundDevices {
  let resolved: string;
  try {
    resolved = realpathSync(path);
  } catch (error) {
    throw deviceError(path, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message);
  }
  const stats = statSync(resolved, { bigint: true });
  if (stats.isDirectory()) return { directory: resolved, devices: readHostDevices(resolved) };
  const format = stats.mode & S_IFMT;
  if (format !== S_IFCHR && format !== S_IFBLK) throw deviceError(path, 'not a device node');
  return { devices: [deviceNode(resolved, stats)] };
}

/** A block device's numbers, for the blkio settings that name one. */
export function hostBlockDevice(path: string): { major: number; minor: number } {
  let stats;
  try {
    stats = statSync(path, { bigint: true });
  } catch (error) {
    throw new BerthError('invalid-argument', `stat ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`, { exitCode: 125 });
  }
  return { major: majorOf(stats.rdev), minor: minorOf(stats.rdev) };
}

/**
 * `--device /host[:/container][:rwm]`: the runtime creates the node in the container's /dev
 * and the device cgroup lets the container use it with those permissions. A directory maps
 * each device under it to the same place under the container path.
 */
export function withDevices(spec: Spec, mappings: readonly DeviceMapping[], lookup: (path: string) => FoundDevices = hostDevicesAt): void {
  for (const mapping of mappings) {
    const { directory, devices } = lookup(mapping.PathOnHost);
    for (const device of devices) {
      const path = directory === undefined ? mapping.PathInContainer : `${mapping.PathInContainer.replace(/\/+$/, '')}${device.path.slice(directory.length)}`;
      spec.linux.devices = [...(spec.linux.devices ?? []).filter((existing) => existing.path !== path), { ...device, path }];
      spec.linux.resources.devices.push({ allow: true, type: device.type, major: device.major, minor: device.minor, access: mapping.CgroupPermissions });
    }
  }
}

/** `--device-cgroup-rule 'c 42:* rmw'`: a device the container may use if it gets the node. */
export function withDeviceCgroupRules(spec: Spec, rules: readonly string[]): void {
  for (const rule of rules) {
    const match = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule);
    if (!match) throw new BerthError('usage', `invalid device cgroup format '${rule}'`);
    const [, type, major, minor, access] = match;
    spec.linux.resources.devices.push({
      allow: true,
      type: type as DeviceRule['type'],
      ...(major === '*' ? {} : { major: Number(major) }),
      ...(minor === '*' ? {} : { minor: Number(minor) }),
      access,
    });
  }
}
