// `create`: a validated intent and a local image become a containerd container — name held,
// rootfs snapshot prepared, /etc files written, OCI spec stored — or, if any step fails,
// nothing at all: every step registers its undo, run in reverse on failure.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { hostname as hostHostnameOf } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { LocalImage } from '../../image/local.js';
import { formatPlatform } from '../../image/platform.js';
import type { RuntimeContext } from '../context.js';
import { encodeMessage } from '../containerd/client.js';
import type { Mount } from '../containerd/snapshots.js';
import type { Container } from '../containerd/types.js';
import type { Spec } from '../spec/types.js';
import type { CreateIntent } from '../intent.js';
import { gatewayOf } from '../network/networks.js';
import { publishAll, type PortBinding, type PortMapping } from '../network/ports.js';
import type { ContainerIdentity, EndpointRequest } from '../network/attach.js';
import type { EtcFilesSettings, ExtraHost } from './etc-files.js';
import { containerDirectory } from '../paths.js';
import { mergeHealthConfig, probeCommand, type HealthConfig } from '../health/config.js';
import type { ResolvedVolumes } from '../volumes/container-volumes.js';
import { EXTENSIONS, INTENT_TYPE_URL, LABELS } from './labels.js';
import { confirmNameUnique, nameLeaseId, reserveName, releaseName } from './name-reservation.js';

const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
const SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

export interface CreateRequest {
  readonly intent: CreateIntent;
  /** Docker name, without the leading slash; random when absent */
  readonly name?: string;
  /** still being looked up or pulled when the creation starts */
  readonly image: LocalImage | Promise<LocalImage>;
  /** unpacks the image's layers, when containerd finds the snapshot's parent missing */
  readonly unpack?: (image: LocalImage) => Promise<void>;
}

export interface CreatedContainer {
  readonly id: string;
  readonly name: string;
  /** containerd's record as Containers.Create returned it */
  readonly container: Container;
  /** Docker's warnings about settings this host cannot honour, without the `WARNING:` prefix */
  readonly warnings: readonly string[];
  /** the root filesystem's mounts as Snapshots.Prepare gave them: the first start needs no lookup */
  readonly rootfs: readonly Mount[];
}

type Undo = () => Promise<unknown>;

async function seccompProfileFor(intent: CreateIntent): Promise<string | undefined> {
  const host = intent.HostConfig;
  if (host.Privileged) return undefined;
  const option = (host.SecurityOpt ?? []).find((value) => value.startsWith('seccomp=') || value.startsWith('seccomp:'));
  const wanted = option?.slice('seccomp='.length);
  if (wanted === 'unconfined') return undefined;
  if (wanted !== undefined) return wanted; // the CLI already put the profile's JSON here, as Docker's does
  try {
    const { withDockerNamespaceRules } = await import('../spec/seccomp.js');
    return withDockerNamespaceRules(await readFile(SECCOMP_PROFILE, 'utf8'));
  } catch (error) {
    throw new BerthError(
      'failed-precondition',
      `the default seccomp profile ${SECCOMP_PROFILE} is missing (${(error as NodeJS.ErrnoException).code}): install Debian's golang-github-containers-common, or run with --security-opt seccomp=unconfined`,
      { exitCode: 125 },
    );
  }
}

async function prepareSnapshot(context: RuntimeContext, id: string, parent: string, lease: string): Promise<Mount[]> {
  const { mounts } = await context.containerd.unary<{ mounts: Mount[] }>(
    'snapshots',
    'Prepare',
    { snapshotter: context.config.snapshotter, key: id, parent, labels: {} },
    { lease },
  );
  return mounts;
}

function containerLabels(
  intent: CreateIntent,
  image: LocalImage,
  name: string,
  hostname: string,
  args: readonly string[],
  ports: readonly PortMapping[],
): Record<string, string> {
  const labels: Record<string, string> = { ...(image.config.config?.Labels ?? {}), ...(intent.Labels ?? {}) };
  labels[LABELS.name] = name;
  labels[LABELS.imageAsTyped] = intent.Image;
  labels[LABELS.imageId] = image.configDigest;
  labels[LABELS.platform] = formatPlatform(image.platform);
  labels[LABELS.hostname] = hostname;
  // containerd caps a label at 4096 bytes; the spec keeps the whole argv for inspect
  let command = JSON.stringify(args);
  if (command.length > 3000) command = JSON.stringify([args[0].slice(0, 1000), '…']);
  labels[LABELS.command] = command;
  if (intent.HostConfig.AutoRemove) labels[LABELS.autoRemove] = 'true';
  labels[LABELS.stopSignal] = intent.StopSignal || image.config.config?.StopSignal || 'SIGTERM';
  if (intent.StopTimeout !== undefined && intent.StopTimeout !== null) labels[LABELS.stopTimeout] = String(intent.StopTimeout);
  if (ports.length > 0) labels[LABELS.ports] = JSON.stringify(ports);
  if (probeCommand(intent.Healthcheck)) labels[LABELS.healthcheck] = 'true';
  return labels;
}

function withImageHealthcheck(intent: CreateIntent, image: HealthConfig | null | undefined): CreateIntent {
  const Healthcheck = mergeHealthConfig(intent.Healthcheck, image);
  if (!Healthcheck) return intent;
  return { ...intent, Healthcheck };
}

const CAP_SYS_RESOURCE = 24n;

async function checkRlimits(spec: Spec): Promise<void> {
  const { hostCapabilityMask } = await import('../spec/capabilities.js');
  const mask = hostCapabilityMask();
  if (mask === undefined || ((mask >> CAP_SYS_RESOURCE) & 1n) === 1n) return;
  const { parseHardLimits, rlimitsBeyondHost } = await import('../spec/resources.js');
  const problem = rlimitsBeyondHost(spec, parseHardLimits(await readFile('/proc/self/limits', 'utf8')));
  if (problem) throw new BerthError('invalid-argument', problem, { exitCode: 125 });
}

/**
 * `--add-host` entries, `host-gateway` being the host as containers reach it: the default
 * bridge's gateway, as Docker uses its docker0 address.
 */
function extraHosts(intent: CreateIntent, bridgeSubnet: string): ExtraHost[] {
  return (intent.HostConfig.ExtraHosts ?? []).map((entry) => {
    const separator = entry.indexOf(':');
    const ip = entry.slice(separator + 1);
    return { name: entry.slice(0, separator), ip: ip === 'host-gateway' ? gatewayOf(bridgeSubnet) : ip };
  });
}

/** What the container's hostname, hosts and resolv.conf say, from its intent, name and address. */
export function etcFilesSettings(intent: CreateIntent, container: { hostname: string; name: string; ip?: string; bridgeSubnet: string }): EtcFilesSettings {
  return {
    hostname: container.hostname,
    domainname: intent.Domainname,
    networkMode: intent.HostConfig.NetworkMode ?? 'none',
    ip: container.ip,
    aliases: [container.name],
    extraHosts: extraHosts(intent, container.bridgeSubnet),
    dns: { servers: intent.HostConfig.Dns ?? [], search: intent.HostConfig.DnsSearch ?? [], options: intent.HostConfig.DnsOptions ?? [] },
  };
}

/** `-p`'s bindings, and with `-P` every port the image (`imageExposed`) or `--expose` exposes. */
export function portBindings(intent: CreateIntent, imageExposed: readonly string[]): Record<string, PortBinding[]> {
  const bindings = { ...(intent.HostConfig.PortBindings ?? {}) };
  if (!intent.HostConfig.PublishAllPorts) return bindings;
  const exposed = [...imageExposed, ...Object.keys(intent.ExposedPorts ?? {})];
  return publishAll(bindings, exposed.map((port) => (port.includes('/') ? port : `${port}/tcp`)));
}

/** The endpoint the container asks for on the network it is created on (`--network-alias`, `--ip`, `--mac-address`). */
export function endpointRequest(intent: CreateIntent): EndpointRequest {
  const network = intent.HostConfig.NetworkMode!;
  const endpoint = intent.NetworkingConfig?.EndpointsConfig?.[network];
  return { network, aliases: endpoint?.Aliases ?? [], ipv4Address: endpoint?.IPAMConfig?.IPv4Address, macAddress: endpoint?.MacAddress };
}

/** The container's own network namespace on its network; left again on rollback. */
async function joinNetwork(context: RuntimeContext, container: ContainerIdentity, intent: CreateIntent, bindings: Record<string, PortBinding[]>, undo: Undo[]) {
  const { attachContainer, detachContainer } = await import('../network/attach.js');
  const attached = await attachContainer(context.config, container, endpointRequest(intent), bindings);
  undo.push(() => detachContainer(context.config, container.id));
  return attached;
}

/** --volumes-from: each container named, with the mode its volumes are taken over in. */
async function volumeSources(context: RuntimeContext, intent: CreateIntent) {
  const { findContainer } = await import('./find.js');
  const { storedIntent } = await import('./lifecycle.js');
  const sources = [];
  for (const value of intent.HostConfig.VolumesFrom ?? []) {
    const colon = value.indexOf(':');
    const ref = colon === -1 ? value : value.slice(0, colon);
    const { container } = await findContainer(context, ref);
    sources.push({ mode: colon === -1 ? 'rw' : value.slice(colon + 1), intent: storedIntent(container), container });
  }
  return sources;
}

/** The user's name, or a random one that is free; held for `id` until rm or rollback. */
async function holdName(context: RuntimeContext, wanted: string | undefined, id: string, names: typeof import('./names.js')): Promise<string> {
  if (wanted !== undefined) {
    names.validateName(wanted);
    await reserveName(context.containerd, wanted, id);
    return wanted;
  }
  for (let attempt = 0; ; attempt += 1) {
    const name = names.randomName();
    try {
      await reserveName(context.containerd, name, id);
      return name;
    } catch (error) {
      if (attempt >= 10 || !(error instanceof BerthError && error.category === 'already-exists')) throw error;
    }
  }
}

export async function createContainer(context: RuntimeContext, request: CreateRequest): Promise<CreatedContainer> {
  const { containerd, config } = context;
  const id = randomBytes(32).toString('hex');
  const undo: Undo[] = [];
  const names = await import('./names.js');
  // The name is taken while the image is still being looked up (or pulled): both are round trips
  // to containerd, and neither needs the other.
  const naming = holdName(context, request.name, id, names);
  naming.catch(() => undefined);
  try {
    const { settleHostSettings, shareableShm } = await import('./host-settings.js');
    const [settledOutcome, imageOutcome, nameOutcome] = await Promise.allSettled([settleHostSettings(context, request.intent), request.image, naming]);
    if (nameOutcome.status === 'fulfilled') undo.push(() => releaseName(containerd, nameOutcome.value, id));
    // Docker's order: a bad setting, then a missing image, then the name in use
    for (const outcome of [settledOutcome, imageOutcome, nameOutcome]) if (outcome.status === 'rejected') throw outcome.reason;
    const settled = (settledOutcome as PromiseFulfilledResult<Awaited<ReturnType<typeof settleHostSettings>>>).value;
    const image = (imageOutcome as PromiseFulfilledResult<LocalImage>).value;
    const heldName = (nameOutcome as PromiseFulfilledResult<string>).value;
    const { joins, warnings } = settled;
    // stored as Docker's daemon stores Config: the image's HEALTHCHECK under the user's flags
    const intent = withImageHealthcheck(settled.intent, image.config.config?.Healthcheck);
    const { buildSpec, runtimeOptions, prepareBindSources, DEFAULT_INIT_BINARY } = await import('../spec/build.js');
    const { writeEtcFiles } = await import('./etc-files.js');
    const { readRootfsFile } = await import('./rootfs-files.js');

    const runtime = runtimeOptions(intent.HostConfig.Runtime);
    prepareBindSources(intent);
    const seccompProfile = await seccompProfileFor(intent);
    const directory = containerDirectory(config, containerd.namespace, id);
    await mkdir(directory, { recursive: true, mode: 0o710 });
    undo.push(() => rm(directory, { recursive: true, force: true }));
    const shm = intent.HostConfig.IpcMode === 'shareable' ? shareableShm(context, id) : undefined;
    if (shm) await mkdir(shm, { mode: 0o1777 }).then(() => chmod(shm, 0o1777));

    const { deleteVolume } = await import('../volumes/store.js');
    const { resolveVolumes, volumeMountsExtension } = await import('../volumes/container-volumes.js');
    const volumes: ResolvedVolumes = await resolveVolumes(context, intent, image.config.config?.Volumes, await volumeSources(context, intent));
    undo.push(async () => {
      for (const volume of volumes.created) await deleteVolume(context, volume).catch(() => undefined);
    });

    const parent = image.chainIds[image.chainIds.length - 1] ?? '';
    // The name's lease keeps the snapshot from containerd's collector until the record refers to it
    // (and, harmlessly, for the container's life): no lease of its own to make and drop.
    const lease = nameLeaseId(heldName);
    const mounts = await prepareSnapshot(context, id, parent, lease).catch(async (error: unknown) => {
      if (!request.unpack || !parent || !(error instanceof BerthError && error.category === 'not-found')) throw error;
      await request.unpack(image);
      return prepareSnapshot(context, id, parent, lease);
    });
    undo.push(() => containerd.unary('snapshots', 'Remove', { snapshotter: config.snapshotter, key: id }));

    if (volumes.copyUps.length > 0) {
      const { copyImageContent } = await import('../volumes/copy-up.js');
      await copyImageContent(mounts, volumes.copyUps, join(directory, 'image'));
    }
    const networkMode = intent.HostConfig.NetworkMode ?? 'none';
    const sharedNetwork = joins.net;
    const [passwd, group, network] = await Promise.all([
      readRootfsFile(mounts, '/etc/passwd'),
      readRootfsFile(mounts, '/etc/group'),
      networkMode !== 'none' && networkMode !== 'host' && !sharedNetwork
        ? joinNetwork(context, { id, namespace: containerd.namespace, name: heldName, hostsPath: join(directory, 'hosts') }, intent, portBindings(intent, Object.keys(image.config.config?.ExposedPorts ?? {})), undo)
        : undefined,
    ]);
    const hostHostname = networkMode === 'host' || intent.HostConfig.UTSMode === 'host';
    const hostname = sharedNetwork?.hostname ?? (hostHostname && !intent.Hostname ? hostHostnameOf() : intent.Hostname || id.slice(0, 12));
    // `--network container:` uses the donor's files, as Docker does: its hosts file stays current
    const etcFiles = sharedNetwork
      ? { hostname: join(sharedNetwork.etcDirectory, 'hostname'), hosts: join(sharedNetwork.etcDirectory, 'hosts'), resolvConf: join(sharedNetwork.etcDirectory, 'resolv.conf') }
      : await writeEtcFiles(directory, etcFilesSettings(intent, { hostname, name: heldName, ip: network?.endpoint.ipAddress, bridgeSubnet: context.config.bridgeSubnet }));
    if (network) await (await import('../network/attach.js')).announceContainer(id);
    const spec = buildSpec({
      namespace: containerd.namespace,
      id,
      intent,
      imageConfig: image.config,
      hostname,
      etcFiles,
      passwd,
      group,
      initBinary: intent.HostConfig.Init ? DEFAULT_INIT_BINARY : undefined,
      seccompProfile,
      netnsPath: network?.netns ?? sharedNetwork?.namespace,
      joins,
      shareableShm: shm,
      volumes: volumes.points
        .filter((point) => point.Type !== 'tmpfs')
        .map((point) => ({ source: point.Source, destination: point.Destination, readonly: !point.RW, propagation: point.Propagation })),
    });
    await checkRlimits(spec);
    const runcOptions = runtime.binaryName ? { binary_name: runtime.binaryName } : {};
    const { container: record } = await containerd.unary<{ container: Container }>(
      'containers',
      'Create',
      {
        container: {
          id,
          image: image.record.name,
          // Docker shows the user's command, not the init wrapper in front of it
          labels: containerLabels(
            intent,
            image,
            heldName,
            hostname,
            intent.HostConfig.Init ? spec.process.args.slice(2) : spec.process.args,
            network?.endpoint.portMappings ?? [],
          ),
          runtime: { name: runtime.name, options: { type_url: 'containerd.runc.v1.Options', value: encodeMessage('containerd.runc.v1.Options', runcOptions) } },
          spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(spec)) },
          snapshotter: config.snapshotter,
          snapshot_key: id,
          extensions: {
            [EXTENSIONS.intent]: { type_url: INTENT_TYPE_URL, value: Buffer.from(JSON.stringify(intent)) },
            ...(volumes.points.length > 0 ? { [EXTENSIONS.volumes]: volumeMountsExtension(volumes.points) } : {}),
          },
        },
      },
      { lease },
    );
    undo.push(() => containerd.unary('containers', 'Delete', { id }));
    // a lease taken over from a killed berth is the only way to a duplicate: user-given names only
    if (request.name !== undefined) await confirmNameUnique(containerd, heldName, id);
    return { id, name: heldName, container: record, warnings, rootfs: mounts };
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}
