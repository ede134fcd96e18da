// The `network` commands' work: Docker's view of berth's networks (the CNI config lists, plus
// `host` and `none`), with members read from the attachment records.

import { createHash } from 'node:crypto';
import type { BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { sortedJsonMap } from '../../format/values.js';
import { allAttachments, endpointOf, type NetworkAttachments } from './attach.js';
import { withHostNetworkLock } from './host-lock.js';
import { BRIDGE_NAME_OPTION, DEFAULT_NETWORK, MODE_NETWORKS, createNetwork, listNetworks, loadNetwork, removeNetworkFiles, resolveNetwork, type CreateNetworkOptions, type Network } from './networks.js';

export interface NetworkRow {
  readonly ID: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope: string;
  readonly IPv6: boolean;
  readonly Internal: boolean;
  readonly Labels: Readonly<Record<string, string>>;
  readonly CreatedAt: string;
  /** built in (bridge, host, none) or made by `network create` */
  readonly builtin: boolean;
  /** containers of any namespace on it */
  readonly endpoints: number;
}

/** Docker's IDs for the mode networks are random per daemon; berth's are stable. */
function modeNetworkId(name: string): string {
  return createHash('sha256').update(`berth network ${name}`).digest('hex');
}

function endpointCounts(saved: ReadonlyMap<string, NetworkAttachments>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of saved.values()) for (const attachment of entry.attachments) counts.set(attachment.network, (counts.get(attachment.network) ?? 0) + 1);
  return counts;
}

/** bridge (written now if it never was), host, none, then the user networks. */
export async function networkRows(config: BerthConfig): Promise<NetworkRow[]> {
  const [networks, saved] = await withHostNetworkLock(async () => {
    await loadNetwork(config, DEFAULT_NETWORK);
    return [await listNetworks(config), await allAttachments()] as const;
  });
  const counts = endpointCounts(saved);
  const row = (network: Network): NetworkRow => ({
    ID: network.id,
    Name: network.name,
    Driver: 'bridge',
    Scope: 'local',
    IPv6: false,
    Internal: network.internal,
    Labels: network.labels,
    CreatedAt: network.created,
    builtin: network.name === DEFAULT_NETWORK,
    endpoints: counts.get(network.name) ?? 0,
  });
  const modes = MODE_NETWORKS.map(
    (name): NetworkRow => ({ ID: modeNetworkId(name), Name: name, Driver: name === 'none' ? 'null' : name, Scope: 'local', IPv6: false, Internal: false, Labels: {}, CreatedAt: '', builtin: true, endpoints: 0 }),
  );
  // sorted by name, as Docker's CLI sorts them
  return [...networks.map(row), ...modes].sort((a, b) => a.Name.localeCompare(b.Name, undefined, { numeric: true }));
}

export async function createUserNetwork(config: BerthConfig, request: CreateNetworkOptions): Promise<Network> {
  return withHostNetworkLock(() => createNetwork(config, request));
}

/** Docker's `network inspect` object; the containers listed are the current namespace's. */
export async function inspectNetwork(config: BerthConfig, namespace: string, ref: string): Promise<Record<string, unknown>> {
  const rows = await networkRows(config);
  const networks = await listNetworks(config);
  const network = resolveNetwork(networks, ref);
  if (!network) {
    const mode = rows.find((row) => !networks.some((candidate) => candidate.name === row.Name) && (row.Name === ref || row.ID === ref || (ref.length >= 1 && row.ID.startsWith(ref))));
    if (!mode) throw new BerthError('not-found', `network ${ref} not found`);
    return networkJson({ Name: mode.Name, Id: mode.ID, Created: mode.CreatedAt, Driver: mode.Driver, IPAM: { Driver: 'default', Options: null, Config: null }, Internal: false, Containers: {}, Options: {}, Labels: {} });
  }
  const saved = await allAttachments();
  const containers: Record<string, unknown> = {};
  for (const [id, entry] of saved) {
    if (entry.namespace !== namespace) continue;
    for (const attachment of entry.attachments.filter((candidate) => candidate.network === network.name)) {
      const endpoint = endpointOf(attachment);
      containers[id] = {
        Name: attachment.aliases[0] ?? id.slice(0, 12),
        EndpointID: '',
        MacAddress: endpoint.macAddress,
        IPv4Address: endpoint.ipAddress ? `${endpoint.ipAddress}/${endpoint.prefixLength}` : '',
        IPv6Address: '',
      };
    }
  }
  const ipamConfig: Record<string, string> = { Subnet: network.subnet, Gateway: network.gateway };
  if (network.ipRange) ipamConfig.IPRange = network.ipRange;
  return networkJson({
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Driver: 'bridge',
    IPAM: { Driver: 'default', Options: {}, Config: [ipamConfig] },
    Internal: network.internal,
    Containers: containers,
    Options: { ...network.options, [BRIDGE_NAME_OPTION]: network.bridge },
    Labels: network.labels,
  });
}

function networkJson(fields: { Name: string; Id: string; Created: string; Driver: string; IPAM: unknown; Internal: boolean; Containers: Record<string, unknown>; Options: Record<string, string>; Labels: Readonly<Record<string, string>> }): Record<string, unknown> {
  const sorted = (record: Readonly<Record<string, unknown>>) => sortedJsonMap(record);
  return {
    Name: fields.Name,
    Id: fields.Id,
    Created: fields.Created || '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: fields.Driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: fields.IPAM,
    Internal: fields.Internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: sorted(fields.Containers),
    Options: sorted(fields.Options),
    Labels: sorted(fields.Labels),
  };
}

/** `network rm`: a predefined network or one with containers on it (any namespace) stays. */
export async function removeUserNetwork(config: BerthConfig, ref: string): Promise<string> {
  return withHostNetworkLock(async () => {
    if ((MODE_NETWORKS as readonly string[]).includes(ref) || ref === DEFAULT_NETWORK) {
      throw new BerthError('failed-precondition', `${ref} is a pre-defined network and cannot be removed`);
    }
    const network = resolveNetwork(await listNetworks(config), ref);
    if (!network) throw new BerthError('not-found', `network ${ref} not found`);
    if (network.name === DEFAULT_NETWORK) throw new BerthError('failed-precondition', `${DEFAULT_NETWORK} is a pre-defined network and cannot be removed`);
    const members = [...(await allAttachments())].filter(([, entry]) => entry.attachments.some((attachment) => attachment.network === network.name));
    if (members.length > 0) {
      const [id, entry] = members[0];
      const name = entry.attachments.find((attachment) => attachment.network === network.name)?.aliases[0] ?? '';
      throw new BerthError('failed-precondition', `error while removing network: network ${network.name} id ${network.id} has active endpoints (name:${JSON.stringify(name)} id:${JSON.stringify(id.slice(0, 12))})`);
    }
    await removeNetworkFiles(network);
    return network.name;
  });
}

/** `network prune`: every user network no container is on; their names. */
export async function pruneUserNetworks(config: BerthConfig, keep: (network: Network) => boolean): Promise<string[]> {
  return withHostNetworkLock(async () => {
    const counts = endpointCounts(await allAttachments());
    const removed: string[] = [];
    for (const network of await listNetworks(config)) {
      if (network.name === DEFAULT_NETWORK || (counts.get(network.name) ?? 0) > 0 || keep(network)) continue;
      await removeNetworkFiles(network);
      removed.push(network.name);
    }
    return removed;
  });
}
