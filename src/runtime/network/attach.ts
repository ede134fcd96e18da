// A container joins its networks at create (or `network connect`) and leaves them at rm (or
// `network disconnect`); see netns.ts for why not at start/stop. What each ADD returned is
// cached per container, with the config list it was made from: DEL needs both, also after the
// network's file was changed or removed. The same records are the host's registry of published
// ports and of who is on which network, for `network inspect` and the members' /etc/hosts.

import type { LoggerProxy } from '../logging/logger-config.js';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { addNetwork, deleteNetwork, networkConfigListSchema, type CniResult } from './cni.js';
import { HOST_NETWORK_STATE, withHostNetworkLock } from './host-lock.js';
import { createNetns, deleteNetns, netnsPath } from './netns.js';
import { DEFAULT_NETWORK, loadNetwork, type Network } from './networks.js';
import { allocatePorts, type PortBinding, type PortMapping } from './ports.js';
import { ensureMasquerade } from './masquerade.js';

const ATTACHMENTS_DIRECTORY = join(HOST_NETWORK_STATE, 'attachments');

const attachmentSchema = z.object({
  network: z.string(),
  networkId: z.string(),
  ifName: z.string(),
  configList: networkConfigListSchema,
  result: z.looseObject({}),
  portMappings: z.array(z.object({ hostPort: z.number(), containerPort: z.number(), protocol: z.enum(['tcp', 'udp', 'sctp']), hostIP: z.string() })),
  /** names other members find this container by on the network: its name, then --network-alias */
  aliases: z.array(z.string()),
  capabilityArgs: z.optional(z.record(z.string(), z.unknown())),
});

const attachmentsSchema = z.object({
  netns: z.string(),
  namespace: z.string(),
  /** the container's /etc/hosts on the host, rewritten in place when its networks' members change */
  hostsPath: z.string(),
  attachments: z.array(attachmentSchema),
});

export type NetworkAttachments = z.output<typeof attachmentsSchema>;
type Attachment = NetworkAttachments['attachments'][number];

/** What a container's endpoint on one network looks like, for inspect and /etc/hosts. */
export interface Endpoint {
  readonly network: string;
  readonly networkId: string;
  readonly ipAddress: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly macAddress: string;
  readonly portMappings: readonly PortMapping[];
  readonly aliases: readonly string[];
}

/** What the user asked of one network at create or connect. */
export interface EndpointRequest {
  readonly network: string;
  readonly aliases?: readonly string[];
  readonly ipv4Address?: string;
  readonly macAddress?: string;
}

export interface ContainerIdentity {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly hostsPath: string;
}

function attachmentsFile(containerId: string): string {
  return join(ATTACHMENTS_DIRECTORY, `${containerId}.json`);
}

async function saveAttachments(containerId: string, value: NetworkAttachments): Promise<void> {
  await mkdir(ATTACHMENTS_DIRECTORY, { recursive: true, mode: 0o700 });
  const file = attachmentsFile(containerId);
  await writeFile(`${file}.tmp`, JSON.stringify(value));
  await rename(`${file}.tmp`, file);
}

export async function readAttachments(containerId: string): Promise<NetworkAttachments | undefined> {
  let text: string;
  try {
    text = await readFile(attachmentsFile(containerId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = safeParse(attachmentsSchema, JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Every container's attachments on this host, by container ID. */
export async function allAttachments(): Promise<Map<string, NetworkAttachments>> {
  let files: string[];
  try {
    files = await readdir(ATTACHMENTS_DIRECTORY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const ids = files.filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));
  const saved = await Promise.all(ids.map(async (id) => [id, await readAttachments(id)] as const));
  return new Map(saved.filter((entry): entry is readonly [string, NetworkAttachments] => entry[1] !== undefined));
}

export function endpointOf(attachment: Attachment): Endpoint {
  const result = attachment.result as CniResult;
  const interfaces = result.interfaces ?? [];
  const ip = (result.ips ?? []).find((candidate) => !candidate.address.includes(':')) ?? result.ips?.[0];
  const [address, prefix] = (ip?.address ?? '').split('/');
  const containerInterface = interfaces[ip?.interface ?? -1] ?? interfaces.find((candidate) => candidate.name === attachment.ifName && candidate.sandbox);
  return {
    network: attachment.network,
    networkId: attachment.networkId,
    ipAddress: address ?? '',
    prefixLength: Number(prefix ?? 0),
    gateway: ip?.gateway ?? '',
    macAddress: containerInterface?.mac ?? '',
    portMappings: attachment.portMappings,
    aliases: attachment.aliases,
  };
}

/** eth0, eth1, …: the first name none of the container's endpoints uses. */
function freeInterfaceName(attachments: readonly Attachment[]): string {
  for (let index = 0; ; index += 1) {
    const name = `eth${index}`;
    if (!attachments.some((attachment) => attachment.ifName === name)) return name;
  }
}

function capabilityArgsFor(network: Network, request: EndpointRequest, portMappings: readonly PortMapping[]): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = {};
  // the portmap plugin's NAT cannot take an IPv6 address to an IPv4 container: the container's
  // logger proxies those (loggerProxies), as Docker's userland proxy does
  const natted = portMappings.filter((mapping) => !isIPv6Mapping(mapping));
  if (natted.length > 0) args.portMappings = natted;
  if (request.ipv4Address) {
    const prefix = network.subnet.split('/')[1];
    args.ips = [`${request.ipv4Address}/${prefix}`];
  }
  if (request.macAddress) args.mac = request.macAddress;
  return Object.keys(args).length > 0 ? args : undefined;
}

/** One ADD, rolled back by DEL if it fails half-way; the new attachment record. */
async function joinOne(config: BerthConfig, container: ContainerIdentity, netns: string, ifName: string, request: EndpointRequest, bindings: Readonly<Record<string, readonly PortBinding[]>>, taken: readonly PortMapping[]): Promise<Attachment> {
  const network = await loadNetwork(config, request.network);
  if (request.ipv4Address && network.name === 'bridge') {
    throw new BerthError('invalid-argument', 'user specified IP address is supported on user defined networks only');
  }
  if (request.aliases?.length && network.name === 'bridge') {
    throw new BerthError('invalid-argument', 'network-scoped alias is supported only for containers in user defined networks');
  }
  const portMappings = Object.keys(bindings).length > 0 ? await allocatePorts(bindings, taken) : [];
  const capabilityArgs = capabilityArgsFor(network, request, portMappings);
  const target = { containerId: container.id, netns, ifName, capabilityArgs };
  await ensureMasquerade(network);
  let result: CniResult | undefined;
  try {
    result = await addNetwork(config.cniPath, network.configList, target);
  } catch (error) {
    await deleteNetwork(config.cniPath, network.configList, target, result).catch(() => undefined);
    throw error;
  }
  return {
    network: network.name,
    networkId: network.id,
    ifName,
    configList: network.configList,
    result,
    portMappings,
    aliases: [container.name, ...(request.aliases ?? [])],
    capabilityArgs,
  };
}

async function leaveOne(config: BerthConfig, containerId: string, netns: string, attachment: Attachment): Promise<void> {
  const target = { containerId, netns, ifName: attachment.ifName, capabilityArgs: attachment.capabilityArgs };
  await deleteNetwork(config.cniPath, attachment.configList, target, attachment.result as CniResult);
}

function takenPorts(saved: ReadonlyMap<string, NetworkAttachments>): PortMapping[] {
  return [...saved.values()].flatMap((entry) => entry.attachments.flatMap((attachment) => attachment.portMappings));
}

/**
 * Makes the container's network namespace, gives its published ports host ports and joins it
 * to `request.network`; returns the endpoint. On failure nothing is left: no namespace, address
 * or rule.
 */
export async function attachContainer(
  config: BerthConfig,
  container: ContainerIdentity,
  request: EndpointRequest,
  bindings: Readonly<Record<string, readonly PortBinding[]>>,
): Promise<{ netns: string; endpoint: Endpoint }> {
  return withHostNetworkLock(async () => {
    const saved = await allAttachments();
    const { path: netns, loopback } = await createNetns(container.id);
    try {
      const [attachment] = await Promise.all([joinOne(config, container, netns, 'eth0', request, bindings, takenPorts(saved)), loopback]);
      await saveAttachments(container.id, { netns, namespace: container.namespace, hostsPath: container.hostsPath, attachments: [attachment] });
      return { netns, endpoint: endpointOf(attachment) };
    } catch (error) {
      await deleteNetns(container.id).catch(() => undefined);
      await rm(attachmentsFile(container.id), { force: true });
      throw error;
    }
  });
}

/** Undoes attachContainer: every network left, the namespace and the record removed, peers told. Idempotent. */
export async function detachContainer(config: BerthConfig, containerId: string): Promise<void> {
  await withHostNetworkLock(async () => {
    const saved = await readAttachments(containerId);
    const netns = saved?.netns ?? netnsPath(containerId);
    const failures: unknown[] = [];
    // The namespace goes first: the kernel then takes its interfaces down in the background,
    // and the plugins' DEL (which CNI requires to succeed without a namespace) frees the address
    // and rules without waiting for each veth's removal (~20 ms in the bridge plugin).
    await deleteNetns(containerId).catch((error: unknown) => failures.push(error));
    for (const attachment of saved?.attachments ?? []) {
      await leaveOne(config, containerId, netns, attachment).catch((error: unknown) => failures.push(error));
    }
    await rm(attachmentsFile(containerId), { force: true });
    if (saved) await refreshPeerHosts(new Set(saved.attachments.map((attachment) => attachment.network)));
    if (failures.length > 0) throw failures[0];
  });
}

/** `network connect`: one more interface in the container's namespace. */
export async function connectContainer(config: BerthConfig, container: ContainerIdentity, request: EndpointRequest): Promise<Endpoint> {
  return withHostNetworkLock(async () => {
    const all = await allAttachments();
    const saved = all.get(container.id);
    if (!saved) {
      throw new BerthError('failed-precondition', 'container cannot be connected to multiple networks with one of the networks in private (none) or host mode');
    }
    if (saved.attachments.some((attachment) => attachment.network === request.network)) {
      throw new BerthError('already-exists', `endpoint with name ${container.name} already exists in network ${request.network}`);
    }
    const attachment = await joinOne(config, container, saved.netns, freeInterfaceName(saved.attachments), request, {}, []);
    await saveAttachments(container.id, { ...saved, attachments: [...saved.attachments, attachment] });
    await refreshPeerHosts(new Set([attachment.network]));
    return endpointOf(attachment);
  });
}

/** `network disconnect`: that network's interface goes; the container keeps its namespace. */
export async function disconnectContainer(config: BerthConfig, containerId: string, containerName: string, network: string): Promise<void> {
  await withHostNetworkLock(async () => {
    const saved = await readAttachments(containerId);
    const attachment = saved?.attachments.find((candidate) => candidate.network === network);
    if (!saved || !attachment) throw new BerthError('failed-precondition', `container ${containerName} is not connected to network ${network}`);
    await leaveOne(config, containerId, saved.netns, attachment);
    await saveAttachments(containerId, { ...saved, attachments: saved.attachments.filter((candidate) => candidate !== attachment) });
    await refreshPeerHosts(new Set([network]));
  });
}

/** After a container's own /etc/hosts exists: every member of its networks learns of it, and it of them. */
export async function announceContainer(containerId: string): Promise<void> {
  // Only user networks resolve names: on the default bridge alone there is nothing to announce,
  // and the host lock (a flock(1) process) is not worth taking.
  const attached = await readAttachments(containerId);
  if (!attached || attached.attachments.every((attachment) => attachment.network === DEFAULT_NETWORK)) return;
  await withHostNetworkLock(async () => {
    const saved = await readAttachments(containerId);
    if (saved) await refreshPeerHosts(new Set(saved.attachments.map((attachment) => attachment.network)));
  });
}

const PEERS_MARKER = '# other containers on the same networks (berth keeps this part current)';

/** The member's hosts file without berth's peer section, then the section anew. */
export function withPeers(hostsText: string, peers: readonly { ip: string; names: readonly string[] }[]): string {
  const marker = hostsText.indexOf(`${PEERS_MARKER}\n`);
  const base = marker === -1 ? hostsText : hostsText.slice(0, marker);
  if (peers.length === 0) return base;
  return `${base}${PEERS_MARKER}\n${peers.map((peer) => `${peer.ip}\t${peer.names.join(' ')}`).join('\n')}\n`;
}

/**
 * Rewrites the /etc/hosts of every member of `networks` (of user networks: the default bridge
 * has no name resolution, as in Docker) with the other members of its namespace that share a
 * network with it. Written in place: the file is bind-mounted, and a rename would leave the
 * container with the old one.
 */
async function refreshPeerHosts(networks: ReadonlySet<string>): Promise<void> {
  const userNetworks = new Set([...networks].filter((network) => network !== 'bridge'));
  if (userNetworks.size === 0) return;
  const all = await allAttachments();
  for (const [id, member] of all) {
    if (!member.attachments.some((attachment) => userNetworks.has(attachment.network))) continue;
    const peers: { ip: string; names: string[] }[] = [];
    for (const [otherId, other] of all) {
      if (otherId === id || other.namespace !== member.namespace) continue;
      for (const attachment of other.attachments) {
        if (attachment.network === 'bridge' || !member.attachments.some((mine) => mine.network === attachment.network)) continue;
        const endpoint = endpointOf(attachment);
        if (endpoint.ipAddress) peers.push({ ip: endpoint.ipAddress, names: [...new Set([...endpoint.aliases, otherId.slice(0, 12)])] });
      }
    }
    try {
      const current = await readFile(member.hostsPath, 'utf8');
      const next = withPeers(current, peers);
      if (next !== current) await writeFile(member.hostsPath, next);
    } catch (error) {
      // a member being created has no hosts file yet; it announces itself once it has
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** A mapping on an IPv6 host address: proxied by the container's logger, not NATed. */
export function isIPv6Mapping(mapping: PortMapping): boolean {
  return mapping.hostIP.includes(':');
}

/**
 * What the container's logger listens on and forwards to while the container runs: its TCP
 * mappings on IPv6 host addresses, each to the container's address on the network it was made on.
 */
export async function loggerProxies(containerId: string): Promise<LoggerProxy[]> {
  const saved = await readAttachments(containerId);
  const proxies: LoggerProxy[] = [];
  for (const attachment of saved?.attachments ?? []) {
    const address = endpointOf(attachment).ipAddress;
    if (!address) continue;
    for (const mapping of attachment.portMappings) {
      if (isIPv6Mapping(mapping) && mapping.protocol === 'tcp') {
        proxies.push({ listenHost: mapping.hostIP, listenPort: mapping.hostPort, targetHost: address, targetPort: mapping.containerPort });
      }
    }
  }
  return proxies;
}
