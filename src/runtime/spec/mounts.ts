// Mounts the user asks for: --read-only, --tmpfs, -v/--volume host binds and --mount type=bind.
// A user mount replaces any earlier mount at the same destination (e.g. --tmpfs /dev/shm).

import { usageError } from '../../errors.js';
import type { BindMount } from '../intent.js';
import type { Mount, Spec } from './types.js';

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
/** Docker Desktop's consistency hints: accepted and meaningless on Linux. */
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** Options a later one cancels: `exec` after the default `noexec` wins. */
const OPPOSITES: Readonly<Record<string, string>> = {
  exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev', rw: 'ro', ro: 'rw',
};

function replaceMount(spec: Spec, mount: Mount): void {
  spec.mounts = spec.mounts.filter((existing) => existing.destination !== mount.destination);
  spec.mounts.push(mount);
}

function checkTarget(target: string): void {
  if (!target.startsWith('/')) throw usageError(`invalid mount path: '${target}' mount path must be absolute`);
}

export function withReadonlyRootfs(spec: Spec): void {
  spec.root.readonly = true;
}

/** Mount options, later ones winning over earlier ones they contradict or that set the same key. */
function mergeOptions(options: readonly string[]): string[] {
  const result: string[] = [];
  for (const option of options) {
    const key = option.split('=', 1)[0];
    const clash = (existing: string): boolean => existing.split('=', 1)[0] === key || existing === OPPOSITES[option];
    const at = result.findIndex(clash);
    if (at >= 0) result.splice(at, 1);
    result.push(option);
  }
  return result;
}

/** `--tmpfs /run:size=64m,exec`: a tmpfs with Docker's noexec,nosuid,nodev unless overridden. */
export function withTmpfs(spec: Spec, path: string, options = ''): void {
  checkTarget(path);
  const user = options.split(',').filter((option) => option !== '');
  replaceMount(spec, { destination: path, type: 'tmpfs', source: 'tmpfs', options: mergeOptions(['noexec', 'nosuid', 'nodev', ...user]) });
}

/** A recursive bind, private unless asked otherwise, as Docker mounts binds. */
function bindMount(source: string, target: string, readonly: boolean, propagation = 'rprivate'): Mount {
  if (!source.startsWith('/')) {
    throw usageError(`invalid bind source '${source}': a host path must be absolute (named volumes are not supported yet)`);
  }
  checkTarget(target);
  return { destination: target, type: 'bind', source, options: ['rbind', propagation, readonly ? 'ro' : 'rw'] };
}

/** `-v /host:/container[:ro|rw][,propagation]`, Docker's HostConfig.Binds. */
export function parseBind(bind: string): Mount {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) {
    throw usageError(`invalid volume specification: '${bind}'`);
  }
  const [source, target, mode = ''] = parts;
  let readonly = false;
  let propagation: string | undefined;
  for (const option of mode.split(',').filter((part) => part !== '')) {
    if (option === 'ro' || option === 'rw') readonly = option === 'ro';
    else if (PROPAGATIONS.has(option)) propagation = option;
    else if (!CONSISTENCY.has(option)) throw usageError(`invalid mode: ${option}`);
  }
  return bindMount(source, target, readonly, propagation);
}

export function withBindMounts(spec: Spec, binds: readonly string[]): void {
  for (const bind of binds) replaceMount(spec, parseBind(bind));
}

/** HostConfig.Mounts entries of type bind (the only type the intent accepts for now). */
export function withMounts(spec: Spec, mounts: readonly BindMount[]): void {
  for (const mount of mounts) {
    const propagation = mount.BindOptions?.Propagation || undefined;
    if (propagation !== undefined && !PROPAGATIONS.has(propagation)) throw usageError(`invalid propagation mode: ${propagation}`);
    replaceMount(spec, bindMount(mount.Source, mount.Target, mount.ReadOnly ?? false, propagation));
  }
}
