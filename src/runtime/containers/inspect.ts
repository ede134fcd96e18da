// `container inspect`: Docker's JSON for a container, rebuilt from what berth stored — the
// record and labels, the OCI spec, the create intent — and the image config when the image
// is still here. Field order and zero values are Docker 28's, since scripts read them.

import { join } from 'node:path';
import { sortedJsonMap } from '../../format/values.js';
import type { ImageConfig } from '../../image/manifest.js';
import type { ImageStore } from '../../image/store.js';
import type { RuntimeContext } from '../context.js';
import type { Container, Timestamp } from '../containerd/types.js';
import type { CreateIntent } from '../intent.js';
import { containerDirectory, containerLogPath } from '../paths.js';
import type { Spec } from '../spec/types.js';
import { criContainerMetadata, type KubernetesInfo } from './kubernetes.js';
import { containerMountPoints, storedVolumeMounts, type MountPoint } from '../volumes/container-volumes.js';
import { EXTENSIONS, LABELS } from './labels.js';
import type { Endpoint } from '../network/attach.js';
import type { PortMapping } from '../network/ports.js';
import { netnsPath as netnsPathOf } from '../network/netns.js';
import type { ContainerRecord } from './record.js';
import { isRunning } from './status.js';

/** Go's zero time.Time as encoding/json writes it: what Docker prints for a time that never was. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

type ImageRunConfig = NonNullable<ImageConfig['config']>;

export interface ContainerSize {
  /** bytes in the container's writable layer */
  readonly rw: number;
  /** the whole root filesystem: image layers plus the writable layer */
  readonly rootFs: number;
}

export interface InspectSources {
  readonly record: ContainerRecord;
  /** the stored OCI spec, parsed; undefined when the container has none */
  readonly spec?: Spec;
  /** the stored create intent; undefined for containers berth did not create */
  readonly intent?: CreateIntent;
  /** the image's config, when the image the container was made from is still stored */
  readonly imageConfig?: ImageRunConfig;
  /** per-container files and the json log, where berth keeps them */
  readonly directory: string;
  readonly logPath: string;
  /** with `-s` */
  readonly size?: ContainerSize;
  /** the container's endpoints on its networks, as its attachments recorded them */
  readonly endpoints?: readonly Endpoint[];
}

const jsonMap = sortedJsonMap;

/**
 * A field Docker's JSON leaves out when empty (`omitempty`) but its templates still see, as
 * the Go struct has it: `{{.HostConfig.Init}}` prints `<nil>` rather than failing.
 */
function omitEmpty(target: Record<string, unknown>, name: string, value: unknown, empty: unknown = null): void {
  if (value === undefined || value === null) Object.defineProperty(target, name, { value: empty, enumerable: false, writable: true, configurable: true });
  else target[name] = value;
}

/** Go's time.RFC3339Nano: UTC, fraction without trailing zeros. */
export function rfc3339Nano(seconds: number, nanos = 0): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  const fraction = nanos > 0 ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${base}${fraction}Z`;
}

export function timestampText(timestamp: Timestamp | null | undefined): string {
  if (!timestamp) return ZERO_TIME;
  return rfc3339Nano(Number(timestamp.seconds), timestamp.nanos);
}

export function dateText(date: Date | undefined): string {
  if (!date) return ZERO_TIME;
  const milliseconds = date.getTime();
  const seconds = Math.floor(milliseconds / 1000);
  return rfc3339Nano(seconds, (milliseconds - seconds * 1000) * 1e6);
}

/** The stored spec and intent of a container, parsed (inspect only: `ps` never needs them). */
export function storedSpec(record: ContainerRecord): Spec | undefined {
  const spec = record.container.spec;
  if (!spec?.value?.length) return undefined;
  try {
    return JSON.parse(Buffer.from(spec.value).toString('utf8')) as Spec;
  } catch {
    return undefined;
  }
}

export function storedIntentOf(record: ContainerRecord): CreateIntent | undefined {
  const extension = record.container.extensions?.[EXTENSIONS.intent];
  if (!extension?.value?.length) return undefined;
  try {
    return JSON.parse(Buffer.from(extension.value).toString('utf8')) as CreateIntent;
  } catch {
    return undefined;
  }
}

/** Entrypoint and Cmd as Docker stores them in Config, by the daemon's merge rules. */
function entrypointAndCmd(intent: CreateIntent | undefined, image: ImageRunConfig | undefined, args: readonly string[]): { entrypoint: string[] | null; cmd: string[] | null } {
  const nullIfEmpty = (list: readonly string[] | null | undefined) => (list && list.length > 0 ? [...list] : null);
  if (!intent) {
    // not created by berth: what runs is all there is, split where the image's entrypoint ends
    const imageEntrypoint = image?.Entrypoint ?? [];
    const prefixed = imageEntrypoint.length > 0 && imageEntrypoint.every((arg, index) => args[index] === arg);
    return prefixed ? { entrypoint: [...imageEntrypoint], cmd: nullIfEmpty(args.slice(imageEntrypoint.length)) } : { entrypoint: null, cmd: nullIfEmpty(args) };
  }
  const userEntrypoint = intent.Entrypoint ?? undefined;
  const userCmd = intent?.Cmd && intent.Cmd.length > 0 ? intent.Cmd : undefined;
  if (userEntrypoint !== undefined) {
    // `--entrypoint ''` stores [""], which Docker shows as given
    return { entrypoint: nullIfEmpty(userEntrypoint), cmd: nullIfEmpty(userCmd) };
  }
  if (image) return { entrypoint: nullIfEmpty(image.Entrypoint), cmd: nullIfEmpty(userCmd ?? image.Cmd) };
  // the image is gone: what ran, less the user's Cmd, was the image's entrypoint
  if (userCmd) return { entrypoint: nullIfEmpty(args.slice(0, Math.max(0, args.length - userCmd.length))), cmd: [...userCmd] };
  return { entrypoint: null, cmd: nullIfEmpty(args) };
}

/** Config.Env as Docker keeps it: the user's entries, then the image's the user did not set. */
function configEnv(intent: CreateIntent | undefined, image: ImageRunConfig | undefined, spec: Spec | undefined, hostname: string): string[] {
  const key = (entry: string) => entry.split('=', 1)[0];
  const userEnv = intent?.Env ?? [];
  if (image) {
    const userKeys = new Set(userEnv.map(key));
    return [...userEnv, ...(image.Env ?? []).filter((entry) => !userKeys.has(key(entry)))];
  }
  // the image is gone: the process environment, less what the runtime itself added
  const userKeys = new Set(userEnv.map(key));
  return (spec?.process.env ?? []).filter(
    (entry) => userKeys.has(key(entry)) || !(entry === `HOSTNAME=${hostname}` || (intent?.Tty && entry === 'TERM=xterm')),
  );
}

/** The user's command as run: the spec's argv (the label may be shortened), without `--init`'s wrapper. */
function commandLine(record: ContainerRecord, spec: Spec | undefined, intent: CreateIntent | undefined): string[] {
  let args = spec?.process.args ?? [...record.command];
  if (intent?.HostConfig?.Init && args.length >= 2 && args[1] === '--') args = args.slice(2);
  return args;
}

/** Docker's MountPoints: the intent's binds and tmpfs mounts, and the volumes stored at create. */
export function mountPoints(intent: CreateIntent | undefined, stored: readonly MountPoint[] = []): MountPoint[] {
  return containerMountPoints(intent, stored);
}

/** HostConfig.NetworkMode as berth ran the container (containers made before networking have `none`). */
export function networkMode(intent: CreateIntent | undefined): string {
  if (!intent) return '';
  return intent.HostConfig?.NetworkMode ?? 'none';
}

function hostConfig(intent: CreateIntent | undefined, spec: Spec | undefined, record: ContainerRecord): Record<string, unknown> {
  const host = intent?.HostConfig ?? {};
  const privileged = host.Privileged ?? false;
  const restart = host.RestartPolicy;
  const result: Record<string, unknown> = {
    Binds: host.Binds ?? null,
    ContainerIDFile: '',
    LogConfig: { Type: host.LogConfig?.Type ?? 'json-file', Config: jsonMap(host.LogConfig?.Config ?? {}, '') },
    NetworkMode: networkMode(intent),
    PortBindings: jsonMap(host.PortBindings ?? {}),
    RestartPolicy: { Name: restart?.Name || 'no', MaximumRetryCount: restart?.MaximumRetryCount ?? 0 },
    AutoRemove: host.AutoRemove ?? record.container.labels[LABELS.autoRemove] === 'true',
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: host.ConsoleSize ?? [0, 0],
  };
  omitEmpty(result, 'Annotations', host.Annotations && Object.keys(host.Annotations).length > 0 ? jsonMap(host.Annotations, '') : undefined);
  Object.assign(result, {
    CapAdd: host.CapAdd ?? null,
    CapDrop: host.CapDrop ?? null,
    CgroupnsMode: host.CgroupnsMode || 'host',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: host.GroupAdd ?? null,
    IpcMode: host.IpcMode || 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: host.OomScoreAdj ?? 0,
    PidMode: host.PidMode ?? '',
    Privileged: privileged,
    PublishAllPorts: host.PublishAllPorts ?? false,
    ReadonlyRootfs: host.ReadonlyRootfs ?? false,
    SecurityOpt: host.SecurityOpt ?? null,
  });
  omitEmpty(result, 'StorageOpt', undefined);
  omitEmpty(result, 'Tmpfs', host.Tmpfs && Object.keys(host.Tmpfs).length > 0 ? jsonMap(host.Tmpfs, '') : undefined);
  Object.assign(result, {
    UTSMode: host.UTSMode ?? '',
    UsernsMode: host.UsernsMode ?? '',
    ShmSize: host.ShmSize || DEFAULT_SHM_SIZE,
  });
  omitEmpty(result, 'Sysctls', host.Sysctls && Object.keys(host.Sysctls).length > 0 ? jsonMap(host.Sysctls, '') : undefined);
  Object.assign(result, {
    Runtime: host.Runtime || 'runc',
    Isolation: host.Isolation ?? '',
    CpuShares: host.CpuShares ?? 0,
    Memory: host.Memory ?? 0,
    NanoCpus: host.NanoCpus ?? 0,
    CgroupParent: host.CgroupParent ?? '',
    BlkioWeight: host.BlkioWeight ?? 0,
    BlkioWeightDevice: host.BlkioWeightDevice ?? [],
    BlkioDeviceReadBps: host.BlkioDeviceReadBps ?? [],
    BlkioDeviceWriteBps: host.BlkioDeviceWriteBps ?? [],
    BlkioDeviceReadIOps: host.BlkioDeviceReadIOps ?? [],
    BlkioDeviceWriteIOps: host.BlkioDeviceWriteIOps ?? [],
    CpuPeriod: host.CpuPeriod ?? 0,
    CpuQuota: host.CpuQuota ?? 0,
    CpuRealtimePeriod: host.CpuRealtimePeriod ?? 0,
    CpuRealtimeRuntime: host.CpuRealtimeRuntime ?? 0,
    CpusetCpus: host.CpusetCpus ?? '',
    CpusetMems: host.CpusetMems ?? '',
    Devices: host.Devices ?? [],
    DeviceCgroupRules: host.DeviceCgroupRules ?? null,
    DeviceRequests: null,
    MemoryReservation: host.MemoryReservation ?? 0,
    // Docker stores what it made of --memory alone: as much swap again
    MemorySwap: host.MemorySwap || (host.Memory ? host.Memory * 2 : 0),
    MemorySwappiness: host.MemorySwappiness ?? null,
    OomKillDisable: host.OomKillDisable ?? false,
    PidsLimit: host.PidsLimit && host.PidsLimit > 0 ? host.PidsLimit : null,
    Ulimits: host.Ulimits ?? [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
  });
  omitEmpty(
    result,
    'Mounts',
    host.Mounts && host.Mounts.length > 0
      ? host.Mounts.map((mount) =>
          mount.Type === 'bind'
            ? {
                Type: mount.Type,
                Source: mount.Source,
                Target: mount.Target,
                ...(mount.ReadOnly ? { ReadOnly: true } : {}),
                ...(mount.BindOptions?.Propagation ? { BindOptions: { Propagation: mount.BindOptions.Propagation } } : {}),
              }
            : mount,
        )
      : undefined,
  );
  // A privileged container has neither, and Docker prints null for both then.
  result.MaskedPaths = privileged ? null : (spec?.linux?.maskedPaths ?? null);
  result.ReadonlyPaths = privileged ? null : (spec?.linux?.readonlyPaths ?? null);
  omitEmpty(result, 'Init', host.Init);
  return result;
}

/** Config.Volumes as Docker merges them: the image's and the `-v /path` ones. */
function configVolumes(...maps: (Readonly<Record<string, unknown>> | null | undefined)[]): unknown {
  const merged = Object.assign({}, ...maps.map((map) => map ?? {})) as Record<string, unknown>;
  return Object.keys(merged).length > 0 ? jsonMap(merged) : null;
}

function config(sources: InspectSources, args: readonly string[]): Record<string, unknown> {
  const { record, intent, imageConfig: image, spec } = sources;
  const labels = record.container.labels;
  const hostname = labels[LABELS.hostname] ?? spec?.hostname ?? record.id.slice(0, 12);
  const { entrypoint, cmd } = entrypointAndCmd(intent, image, args);
  const result: Record<string, unknown> = {
    Hostname: hostname,
    Domainname: intent?.Domainname ?? '',
    User: intent?.User || image?.User || '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  const exposed = image?.ExposedPorts;
  omitEmpty(result, 'ExposedPorts', exposed && Object.keys(exposed).length > 0 ? jsonMap(exposed) : undefined);
  Object.assign(result, {
    Tty: intent?.Tty ?? spec?.process.terminal ?? false,
    OpenStdin: intent?.OpenStdin ?? false,
    StdinOnce: false,
    Env: configEnv(intent, image, spec, hostname),
    Cmd: cmd,
  });
  // stored merged with the image's at create, as Docker's daemon stores it
  omitEmpty(result, 'Healthcheck', intent?.Healthcheck ?? undefined);
  Object.assign(result, {
    Image: record.imageAsTyped,
    Volumes: configVolumes(image?.Volumes, intent?.Volumes),
    WorkingDir: intent?.WorkingDir || image?.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: jsonMap(record.userLabels, ''),
  });
  const stopSignal = intent?.StopSignal || image?.StopSignal;
  omitEmpty(result, 'StopSignal', stopSignal || undefined, '');
  omitEmpty(result, 'StopTimeout', intent?.StopTimeout);
  omitEmpty(result, 'Shell', undefined);
  omitEmpty(result, 'ArgsEscaped', undefined, false);
  return result;
}

/** Docker's NetworkSettings.Ports: every exposed port, null where nothing is published. */
function portsMap(intent: CreateIntent | undefined, mappings: readonly PortMapping[]): Map<string, unknown> {
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const port of Object.keys(intent?.ExposedPorts ?? {})) ports[port] = null;
  for (const mapping of mappings) {
    (ports[`${mapping.containerPort}/${mapping.protocol}`] ??= []).push({ HostIp: mapping.hostIP || '0.0.0.0', HostPort: String(mapping.hostPort) });
  }
  return jsonMap(ports);
}

function networkSettings(record: ContainerRecord, intent: CreateIntent | undefined, endpoints: readonly Endpoint[]): Record<string, unknown> {
  const mode = networkMode(intent);
  const running = isRunning(record) && record.task !== undefined && record.task.pid > 0;
  // Docker fills the top-level address fields for the default bridge only
  const endpoint = endpoints.find((candidate) => candidate.network === 'bridge');
  const networks: Record<string, unknown> = {};
  // a container sharing another's network stack (container:<id>) is on no network of its own
  const names = endpoints.length > 0 ? endpoints.map((candidate) => candidate.network) : mode && !mode.startsWith('container:') ? [mode] : [];
  for (const name of names) {
    const on = endpoints.find((candidate) => candidate.network === name);
    const requested = intent?.NetworkingConfig?.EndpointsConfig?.[name];
    networks[name] = {
      IPAMConfig: requested?.IPAMConfig?.IPv4Address ? { IPv4Address: requested.IPAMConfig.IPv4Address } : null,
      Links: null,
      Aliases: requested?.Aliases?.length ? [...requested.Aliases] : null,
      MacAddress: on?.macAddress ?? '',
      DriverOpts: null,
      GwPriority: 0,
      NetworkID: on?.networkId ?? '',
      EndpointID: '',
      Gateway: on?.gateway ?? '',
      IPAddress: on?.ipAddress ?? '',
      IPPrefixLen: on?.prefixLength ?? 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: on && name !== 'bridge' ? [...on.aliases, record.id.slice(0, 12)] : null,
    };
  }
  return {
    Bridge: '',
    SandboxID: '',
    // the network namespace, for nsenter and friends: berth's own file on a network, else the task's
    SandboxKey: endpoints.length > 0 ? netnsPathOf(record.id) : running && mode !== 'host' ? `/proc/${record.task!.pid}/ns/net` : '',
    Ports: portsMap(intent, endpoints.flatMap((candidate) => candidate.portMappings)),
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: endpoint?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: endpoint?.ipAddress ?? '',
    IPPrefixLen: endpoint?.prefixLength ?? 0,
    IPv6Gateway: '',
    MacAddress: endpoint?.macAddress ?? '',
    Networks: jsonMap(networks),
  };
}

/** Docker's `container inspect` object for one container, from everything berth stored about it. */
export function buildContainerInspect(sources: InspectSources): Record<string, unknown> {
  const { record, spec, intent, directory } = sources;
  const args = commandLine(record, spec, intent);
  const running = isRunning(record);
  const logDriver = intent?.HostConfig?.LogConfig?.Type ?? 'json-file';
  const restartCount = Number.parseInt(record.container.labels[LABELS.restartCount] ?? '0', 10);
  const result: Record<string, unknown> = {
    Id: record.id,
    Created: timestampText(record.container.created_at),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: record.status,
      Running: running,
      Paused: record.status === 'paused',
      Restarting: record.status === 'restarting',
      OOMKilled: false,
      Dead: record.status === 'dead',
      Pid: running ? (record.task?.pid ?? 0) : 0,
      ExitCode: record.exitCode,
      Error: '',
      StartedAt: dateText(record.startedAt),
      FinishedAt: dateText(record.finishedAt),
    },
    Image: record.imageId,
    ResolvConfPath: join(directory, 'resolv.conf'),
    HostnamePath: join(directory, 'hostname'),
    HostsPath: join(directory, 'hosts'),
    LogPath: logDriver === 'json-file' ? sources.logPath : '',
    Name: `/${record.name}`,
    RestartCount: Number.isNaN(restartCount) ? 0 : restartCount,
    Driver: record.container.snapshotter,
    Platform: (record.container.labels[LABELS.platform] ?? 'linux').split('/')[0],
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfig(intent, spec, record),
    GraphDriver: { Data: null, Name: record.container.snapshotter },
  };
  // none for a container without a health check, or one never started, as Docker's
  omitEmpty(result.State as Record<string, unknown>, 'Health', record.health);
  omitEmpty(result, 'SizeRw', sources.size?.rw);
  omitEmpty(result, 'SizeRootFs', sources.size?.rootFs);
  result.Mounts = mountPoints(intent, storedVolumeMounts(record.container));
  result.Config = config(sources, args);
  result.NetworkSettings = networkSettings(record, intent, sources.endpoints ?? []);
  if (record.kubernetes) addKubernetes(result, record, record.kubernetes);
  return result;
}

/**
 * A Kubernetes container (or sandbox) in Docker's shape: the image and log CRI recorded, and
 * berth's own `Kubernetes` field with the pod it belongs to.
 */
function addKubernetes(result: Record<string, unknown>, record: ContainerRecord, kubernetes: KubernetesInfo): void {
  const cri = criContainerMetadata(record.container);
  if (cri) {
    result.Image = cri.imageRef;
    result.LogPath = cri.logPath;
  }
  result.Kubernetes = {
    Kind: kubernetes.kind,
    PodName: kubernetes.podName,
    PodNamespace: kubernetes.podNamespace,
    PodUID: kubernetes.podUid,
    ContainerName: kubernetes.containerName,
    SandboxID: kubernetes.kind === 'sandbox' ? record.id : (cri?.sandboxId ?? ''),
  };
}

export interface InspectOptions {
  /** `-s`: SizeRw and SizeRootFs */
  readonly size?: boolean;
  /** the config of the image the container was created from, when it is still stored */
  readonly imageConfig?: ImageRunConfig;
}

async function endpointsOf(record: ContainerRecord): Promise<Endpoint[]> {
  const { readAttachments, endpointOf } = await import('../network/attach.js');
  return (await readAttachments(record.id))?.attachments.map(endpointOf) ?? [];
}

/** Inspects one found container: parses its spec and intent and, with `size`, measures it. */
export async function inspectContainer(context: RuntimeContext, record: ContainerRecord, options: InspectOptions = {}): Promise<Record<string, unknown>> {
  const { config: settings, containerd } = context;
  let size: ContainerSize | undefined;
  if (options.size) {
    const { containerSizes } = await import('./size.js');
    size = (await containerSizes(context, [record])).get(record.id);
  }
  return buildContainerInspect({
    record,
    spec: storedSpec(record),
    intent: storedIntentOf(record),
    imageConfig: options.imageConfig,
    directory: containerDirectory(settings, containerd.namespace, record.id),
    logPath: containerLogPath(settings, containerd.namespace, record.id),
    size,
    endpoints: await endpointsOf(record),
  });
}

/**
 * The config of the image `container` was created from, if that image is still stored under the
 * name the container records (and still is the same image): Config's Entrypoint, Env and
 * ExposedPorts come from it as Docker merged them.
 */
export async function imageConfigOf(store: ImageStore, container: Container): Promise<ImageRunConfig | undefined> {
  if (!container.image) return undefined;
  const { readLocalImage } = await import('../../image/local.js');
  const stored = await store.getImage(container.image).catch(() => undefined);
  if (!stored) return undefined;
  const platform = container.labels[LABELS.platform];
  const { parsePlatform } = await import('../../image/platform.js');
  const image = await readLocalImage(store, stored, platform ? parsePlatform(platform) : undefined).catch(() => undefined);
  const imageId = container.labels[LABELS.imageId] ?? '';
  if (!image || (imageId !== '' && image.configDigest !== imageId)) return undefined;
  return image.config.config ?? undefined;
}
