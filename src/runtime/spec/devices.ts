// The host's device nodes, for --privileged: runc creates each one in the container's /dev.

import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxDevice } from './types.js';

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
      devices.push({
        path,
        type: format === S_IFCHR ? 'c' : 'b',
        major: majorOf(stats.rdev),
        minor: minorOf(stats.rdev),
        fileMode: Number(stats.mode & 0o777n),
        uid: Number(stats.uid),
        gid: Number(stats.gid),
      });
    }
  };
  walk(root);
  return devices;
}
