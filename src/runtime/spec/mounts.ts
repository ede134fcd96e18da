// Mounts the user asks for: --read-only, --tmpfs, -v/--volume host binds, --mount type=bind and
// type=tmpfs, and the volumes resolved for the container (named, anonymous, --volumes-from).
// A user mount replaces any earlier mount at the same destination (e.g. --tmpfs /dev/shm).

import { usageError } from '../../errors.js';
import type { MountSpec, TmpfsMount } from '../intent.js';
import type { Mount, Spec } from './types.js';

export const PROPAGATIONS: ReadonlySet<string> = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
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
  if (!source.startsWith('/')) throw usageError(`invalid bind source '${source}': a host path must be absolute`);
  checkTarget(target);
  return { destination: target, type: 'bind', source, options: ['rbind', propagation, readonly ? 'ro' : 'rw'] };
}

/** One HostConfig.Binds entry as Docker's parser splits it; a source that is no path names a volume. */
export interface BindSpec {
  readonly source: string;
  readonly target: string;
  /** the mode as written, e.g. `ro,nocopy` */
  readonly mode: string;
  readonly readonly: boolean;
  readonly propagation?: string;
  readonly volume: boolean;
  /** `nocopy`: a new volume does not get the image's files */
  readonly nocopy: boolean;
}

export function splitBind(bind: string): BindSpec {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) {
    throw usageError(`invalid volume specification: '${bind}'`);
  }
  const [source, target, mode = ''] = parts;
  let readonly = false;
  let propagation: string | undefined;
  let nocopy = false;
  for (const option of mode.split(',').filter((part) => part !== '')) {
    if (option === 'ro' || option === 'rw') readonly = option === 'ro';
    else if (PROPAGATIONS.has(option)) propagation = option;
    else if (option === 'nocopy') nocopy = true;
    else if (!CONSISTENCY.has(option)) throw usageError(`invalid mode: ${option}`);
  }
  const volume = !source.startsWith('/');
  if (volume && propagation !== undefined) throw usageError(`invalid volume specification: '${bind}': propagation is for host paths only`);
  if (!volume && nocopy) throw usageError(`invalid volume specification: '${bind}': nocopy is for volumes only`);
  checkTarget(target);
  return { source, target, mode, readonly, propagation, volume, nocopy };
}

/** `-v /host:/container[:ro|rw][,propagation]`, a host bind of Docker's HostConfig.Binds. */
export function parseBind(bind: string): Mount {
  const spec = splitBind(bind);
  return bindMount(spec.source, spec.target, spec.readonly, spec.propagation);
}

/** The host binds of HostConfig.Binds; its volume entries come resolved through withVolumeMounts. */
export function withBindMounts(spec: Spec, binds: readonly string[]): void {
  for (const bind of binds) {
    if (!splitBind(bind).volume) replaceMount(spec, parseBind(bind));
  }
}

/** Docker's ConvertTmpfsOptions: `ro`, `mode=` in octal, `size=` in the largest whole unit. */
export function tmpfsOptions(mount: TmpfsMount): string {
  const options: string[] = [];
  if (mount.ReadOnly) options.push('ro');
  const mode = mount.TmpfsOptions?.Mode;
  if (mode) options.push(`mode=${mode.toString(8)}`);
  const size = mount.TmpfsOptions?.SizeBytes;
  if (size) {
    const unit = [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]].find(([, divisor]) => size % (divisor as number) === 0);
    options.push(unit ? `size=${size / (unit[1] as number)}${unit[0]}` : `size=${size}`);
  }
  return options.join(',');
}

/** HostConfig.Mounts of type bind and tmpfs; type volume comes resolved through withVolumeMounts. */
export function withMounts(spec: Spec, mounts: readonly MountSpec[]): void {
  for (const mount of mounts) {
    if (mount.Type === 'tmpfs') {
      withTmpfs(spec, mount.Target, tmpfsOptions(mount));
    } else if (mount.Type === 'bind') {
      const propagation = mount.BindOptions?.Propagation || undefined;
      if (propagation !== undefined && !PROPAGATIONS.has(propagation)) throw usageError(`invalid propagation mode: ${propagation}`);
      replaceMount(spec, bindMount(mount.Source, mount.Target, mount.ReadOnly ?? false, propagation));
    }
  }
}

/** A volume (or a mount taken over by --volumes-from) as the container sees it. */
export interface VolumeBind {
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
  readonly propagation?: string;
}

/** Volumes are bind-mounted from their host directory, as Docker's local driver does. */
export function withVolumeMounts(spec: Spec, volumes: readonly VolumeBind[]): void {
  for (const volume of volumes) {
    replaceMount(spec, bindMount(volume.source, volume.destination, volume.readonly, volume.propagation || undefined));
  }
}
