// A container's volumes: resolved once at create as Docker's daemon registers mount points
// (--volumes-from first, then -v names, then --mount type=volume, then the anonymous volumes of
// Config.Volumes for paths nothing else mounts), stored on the container as its MountPoints,
// and read back for inspect, `ps`, `rm -v` and whether a volume is in use.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Any, Container } from '../containerd/types.js';
import { EXTENSIONS, VOLUMES_TYPE_URL } from '../containers/labels.js';
import type { CreateIntent } from '../intent.js';
import { PROPAGATIONS, splitBind } from '../spec/mounts.js';
import { createVolume, DEFAULT_DRIVER, deleteVolume, getVolume, mountVolume, type Volume } from './store.js';

/** Docker's MountPoint (inspect's `Mounts` entries), plus what berth needs to clean up. */
export interface MountPoint {
  readonly Type: 'bind' | 'volume' | 'tmpfs';
  readonly Name?: string;
  readonly Source: string;
  readonly Destination: string;
  readonly Driver?: string;
  readonly Mode: string;
  readonly RW: boolean;
  readonly Propagation: string;
  /** created for this container without a name: `rm -v` and `--rm` remove it */
  readonly Anonymous?: boolean;
}

/** The container's stored volume mount points (none for a container berth did not create). */
export function storedVolumeMounts(container: Pick<Container, 'extensions'>): MountPoint[] {
  const extension = container.extensions?.[EXTENSIONS.volumes];
  if (!extension) return [];
  try {
    const value: unknown = JSON.parse(Buffer.from(extension.value).toString('utf8'));
    return Array.isArray(value) ? (value as MountPoint[]) : [];
  } catch {
    return [];
  }
}

export function volumeMountsExtension(points: readonly MountPoint[]): Any {
  return { type_url: VOLUMES_TYPE_URL, value: Buffer.from(JSON.stringify(points)) };
}

/** The intent's own binds and tmpfs mounts as Docker's MountPoints (its volumes are stored resolved). */
function intentMountPoints(intent: CreateIntent | undefined): MountPoint[] {
  const points: MountPoint[] = [];
  for (const bind of intent?.HostConfig?.Binds ?? []) {
    const [source = '', destination = '', mode = ''] = bind.split(':');
    if (!source.startsWith('/')) continue;
    const options = mode.split(',').filter(Boolean);
    points.push({
      Type: 'bind',
      Source: source,
      Destination: destination,
      Mode: mode,
      RW: !options.includes('ro'),
      Propagation: options.find((option) => PROPAGATIONS.has(option)) ?? 'rprivate',
    });
  }
  for (const mount of intent?.HostConfig?.Mounts ?? []) {
    if (mount.Type === 'bind') {
      points.push({ Type: 'bind', Source: mount.Source, Destination: mount.Target, Mode: '', RW: !mount.ReadOnly, Propagation: mount.BindOptions?.Propagation || 'rprivate' });
    } else if (mount.Type === 'tmpfs') {
      points.push({ Type: 'tmpfs', Source: '', Destination: mount.Target, Mode: '', RW: !mount.ReadOnly, Propagation: '' });
    }
  }
  return points;
}

/** Every mount point of a container as inspect shows them; stored ones win on a destination. */
export function containerMountPoints(intent: CreateIntent | undefined, stored: readonly MountPoint[]): MountPoint[] {
  const taken = new Set(stored.map((point) => point.Destination));
  const own = intentMountPoints(intent).filter((point) => !taken.has(point.Destination));
  return [...own, ...stored].map(({ Anonymous: _anonymous, ...point }) => point);
}

/** A volume to fill with the image's files at its destination, as Docker's copy-up. */
export interface CopyUp {
  readonly volume: Volume;
  readonly destination: string;
}

export interface ResolvedVolumes {
  readonly points: MountPoint[];
  readonly copyUps: CopyUp[];
  /** volumes this create made: removed again if the create fails */
  readonly created: Volume[];
}

function volumePoint(volume: Volume, destination: string, mode: string, rw: boolean, anonymous: boolean): MountPoint {
  return {
    Type: 'volume',
    Name: volume.Name,
    Source: volume.Mountpoint,
    Destination: destination,
    Driver: DEFAULT_DRIVER,
    Mode: mode,
    RW: rw,
    Propagation: '',
    ...(anonymous ? { Anonymous: true } : {}),
  };
}

function clean(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/**
 * Finds or creates every volume the container mounts. `imageVolumes` is the image config's
 * `Volumes`; `sources` gives the containers --volumes-from names (found by the caller).
 */
export async function resolveVolumes(
  context: RuntimeContext,
  intent: CreateIntent,
  imageVolumes: Readonly<Record<string, unknown>> | null | undefined,
  sources: readonly { readonly mode: string; readonly intent: CreateIntent; readonly container: Container }[],
): Promise<ResolvedVolumes> {
  const points = new Map<string, MountPoint>();
  const copyUps: CopyUp[] = [];
  const created: Volume[] = [];
  const host = intent.HostConfig;
  try {
    const ensure = async (name: string | undefined, labels?: Record<string, string> | null, options?: Record<string, string> | null): Promise<Volume> => {
      const result = await createVolume(context, { name, labels: labels ?? undefined, options: options ?? undefined });
      if (result.created) created.push(result.volume);
      await mountVolume(result.volume);
      return result.volume;
    };
    for (const source of sources) {
      const readOnly = source.mode === 'ro';
      for (const point of containerMountPoints(source.intent, storedVolumeMounts(source.container))) {
        if (point.Type === 'tmpfs') continue;
        if (point.Type === 'volume' && point.Name) await mountVolume(await getVolume(context, point.Name));
        points.set(clean(point.Destination), { ...point, RW: point.RW && !readOnly });
      }
    }
    for (const bind of host.Binds ?? []) {
      const spec = splitBind(bind);
      if (!spec.volume) {
        points.delete(clean(spec.target));
        continue;
      }
      const volume = await ensure(spec.source);
      points.set(clean(spec.target), volumePoint(volume, spec.target, spec.mode || 'z', !spec.readonly, false));
      if (!spec.nocopy) copyUps.push({ volume, destination: spec.target });
    }
    for (const mount of host.Mounts ?? []) {
      if (mount.Type !== 'volume') {
        points.delete(clean(mount.Target));
        continue;
      }
      const options = mount.VolumeOptions;
      const volume = await ensure(mount.Source || undefined, options?.Labels, options?.DriverConfig?.Options);
      points.set(clean(mount.Target), volumePoint(volume, mount.Target, 'z', !mount.ReadOnly, !mount.Source));
      if (!options?.NoCopy) copyUps.push({ volume, destination: mount.Target });
    }
    const taken = new Set([...points.keys(), ...Object.keys(host.Tmpfs ?? {}).map(clean)]);
    for (const bind of host.Binds ?? []) taken.add(clean(splitBind(bind).target));
    for (const mount of host.Mounts ?? []) taken.add(clean(mount.Target));
    const anonymous = new Set([...Object.keys(imageVolumes ?? {}), ...Object.keys(intent.Volumes ?? {})].map(clean));
    for (const destination of anonymous) {
      if (taken.has(destination)) continue;
      if (!destination.startsWith('/')) throw new BerthError('invalid-argument', `invalid volume specification: '${destination}'`, { exitCode: 125 });
      const volume = await ensure(undefined);
      points.set(destination, volumePoint(volume, destination, '', true, true));
      copyUps.push({ volume, destination });
    }
  } catch (error) {
    for (const volume of created) await deleteVolume(context, volume).catch(() => undefined);
    throw error;
  }
  return { points: [...points.values()], copyUps, created };
}

/**
 * Which containers of the namespace use each volume, by name: one listing of the container
 * records, whatever their number.
 */
export async function volumeUsers(context: RuntimeContext): Promise<Map<string, string[]>> {
  const { listContainerMessages } = await import('../containers/list.js');
  const users = new Map<string, string[]>();
  for (const container of await listContainerMessages(context, [])) {
    const names = new Set(storedVolumeMounts(container).flatMap((point) => (point.Type === 'volume' && point.Name ? [point.Name] : [])));
    for (const name of names) users.set(name, [...(users.get(name) ?? []), container.id]);
  }
  return users;
}

/** `rm -v`, `--rm`: the container's anonymous volumes go, unless another container uses one too. */
export async function removeAnonymousVolumes(context: RuntimeContext, container: Pick<Container, 'id' | 'extensions'>): Promise<void> {
  const anonymous = storedVolumeMounts(container).filter((point) => point.Anonymous && point.Name);
  if (anonymous.length === 0) return;
  const users = await volumeUsers(context);
  for (const point of anonymous) {
    if ((users.get(point.Name!) ?? []).some((id) => id !== container.id)) continue;
    const volume = await getVolume(context, point.Name!).catch(() => undefined);
    if (volume) await deleteVolume(context, volume);
  }
}
