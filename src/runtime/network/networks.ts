// berth's networks are CNI network config lists (`.conflist`) in the CNI config directory, one
// file each, shared by every namespace on the host as the bridges themselves are; berth's own
// facts about a network (ID, creation time, labels, options) ride along in the same file under
// a `berth` key, which CNI ignores. `bridge` is written on first use; `host` and `none` are
// modes, listed as networks the way Docker lists them.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { networkConfigListSchema, type NetworkConfigList } from './cni.js';
import { HOST_NETWORK_STATE } from './host-lock.js';
import { childProcess } from '../../lazy-node.js';
import { removeMasquerade } from './masquerade.js';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE_DEVICE = 'berth0';
/** Docker's names for networks that are not CNI networks. */
export const MODE_NETWORKS = ['host', 'none'] as const;
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/** User networks get /24s from here, clear of the default bridge and of Docker's, podman's and k3s' ranges. */
const USER_NETWORK_POOL = { first: [10, 214, 0, 0], count: 256 };

const berthMetadataSchema = z.object({
  id: z.string(),
  created: z.string(),
  labels: z.optional(z.record(z.string(), z.string())),
  options: z.optional(z.record(z.string(), z.string())),
  internal: z.optional(z.boolean()),
  ipRange: z.optional(z.string()),
});

export interface Network {
  readonly name: string;
  readonly id: string;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly subnet: string;
  readonly gateway: string;
  readonly ipRange?: string;
  readonly bridge: string;
  readonly file: string;
  readonly configList: NetworkConfigList;
}

function networkFile(config: BerthConfig, name: string): string {
  return join(config.cniNetconfPath, `berth-${name}.conflist`);
}

/** host-local keeps its leases here rather than in /var/lib/cni: they belong with the netns they were given to. */
const IPAM_DATA_DIRECTORY = join(HOST_NETWORK_STATE, 'ipam');

// --- IPv4 arithmetic -------------------------------------------------------------------------

function toNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function parseCidr(cidr: string): { base: number; size: number; prefix: number } | undefined {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (!isIPv4(address) || !/^\d+$/.test(prefixText ?? '') || prefix < 8 || prefix > 30) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: toNumber(address) - (toNumber(address) % size), size, prefix };
}

function overlaps(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (!left || !right) return false;
  return left.base < right.base + right.size && right.base < left.base + left.size;
}

/** The first address of a subnet, where the bridge sits. */
export function gatewayOf(subnet: string): string {
  const parsed = parseCidr(subnet);
  return parsed ? toAddress(parsed.base + 1) : subnet.split('/')[0];
}

// --- config lists ----------------------------------------------------------------------------

export interface BridgeOptions {
  readonly bridge: string;
  readonly subnet: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  /** no way out of the network: no masquerading, no default route, no gateway on the bridge */
  readonly internal?: boolean;
}

export function bridgeConfigList(name: string, options: BridgeOptions): NetworkConfigList {
  const range: Record<string, string> = { subnet: options.subnet, gateway: options.gateway ?? gatewayOf(options.subnet) };
  const ipRange = options.ipRange ? parseCidr(options.ipRange) : undefined;
  if (ipRange) {
    range.rangeStart = toAddress(Math.max(ipRange.base, toNumber(range.gateway) + 1));
    range.rangeEnd = toAddress(ipRange.base + ipRange.size - 2);
  }
  return {
    cniVersion: '1.0.0',
    name,
    plugins: [
      {
        type: 'bridge',
        bridge: options.bridge,
        isGateway: true,
        // outbound NAT is one rule per network, berth's own (masquerade.ts)
        ipMasq: false,
        hairpinMode: true,
        // --ip: host-local takes a requested address through the bridge plugin's runtime config
        capabilities: { ips: true },
        ipam: {
          type: 'host-local',
          ranges: [[range]],
          routes: options.internal ? [] : [{ dst: '0.0.0.0/0' }],
          dataDir: IPAM_DATA_DIRECTORY,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'firewall' },
      // --mac-address: tuning sets the interface's address
      { type: 'tuning', capabilities: { mac: true } },
    ],
  };
}

function describeNetwork(file: string, data: Record<string, unknown>, configList: NetworkConfigList): Network {
  const metadata = safeParse(berthMetadataSchema, data.berth);
  const bridge = configList.plugins.find((plugin) => plugin.type === 'bridge') as { bridge?: string; ipam?: { ranges?: Record<string, string>[][] } } | undefined;
  const range = bridge?.ipam?.ranges?.[0]?.[0] ?? {};
  return {
    name: configList.name,
    id: metadata.success ? metadata.data.id : createHash('sha256').update(configList.name).digest('hex'),
    created: metadata.success ? metadata.data.created : '',
    labels: metadata.success ? metadata.data.labels ?? {} : {},
    options: metadata.success ? metadata.data.options ?? {} : {},
    internal: metadata.success ? metadata.data.internal ?? false : false,
    ipRange: metadata.success ? metadata.data.ipRange : undefined,
    subnet: range.subnet ?? '',
    gateway: range.gateway ?? '',
    bridge: bridge?.bridge ?? '',
    file,
    configList,
  };
}

async function readNetwork(file: string): Promise<Network | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = safeParse(networkConfigListSchema, JSON.parse(text));
  if (!parsed.success) throw new BerthError('failed-precondition', `network config ${file}: ${parsed.error.issues[0]?.message}`);
  const { berth: _metadata, ...configList } = parsed.data as Record<string, unknown>;
  return describeNetwork(file, parsed.data as Record<string, unknown>, configList as NetworkConfigList);
}

async function writeNetwork(file: string, configList: NetworkConfigList, metadata: Omit<z.output<typeof berthMetadataSchema>, 'id' | 'created'>): Promise<void> {
  const berth = { id: randomBytes(32).toString('hex'), created: new Date().toISOString(), ...metadata };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ ...configList, berth }, null, 2) + '\n', { mode: 0o644 });
  await rename(temporary, file);
}

/**
 * The network by name; `bridge` is created with the configured subnet when missing. Call
 * under the host network lock, so that two first runs do not both write it.
 */
export async function loadNetwork(config: BerthConfig, name: string): Promise<Network> {
  const file = networkFile(config, name);
  const existing = await readNetwork(file);
  if (existing) return existing;
  if (name !== DEFAULT_NETWORK) throw new BerthError('not-found', `network ${name} not found`);
  await mkdir(config.cniNetconfPath, { recursive: true });
  await writeNetwork(file, bridgeConfigList(name, { bridge: DEFAULT_BRIDGE_DEVICE, subnet: config.bridgeSubnet }), {
    options: { [BRIDGE_NAME_OPTION]: DEFAULT_BRIDGE_DEVICE },
  });
  return (await readNetwork(file))!;
}

/** Every network berth wrote, by name; `bridge` among them once it has been used. */
export async function listNetworks(config: BerthConfig): Promise<Network[]> {
  let files: string[];
  try {
    files = await readdir(config.cniNetconfPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const networks = await Promise.all(
    files.filter((file) => file.startsWith('berth-') && file.endsWith('.conflist')).map((file) => readNetwork(join(config.cniNetconfPath, file)).catch(() => undefined)),
  );
  return networks.filter((network): network is Network => network !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** A network by name, full ID or unique ID prefix, as Docker resolves `network inspect ARG`. */
export function resolveNetwork(networks: readonly Network[], ref: string): Network | undefined {
  const exact = networks.find((network) => network.name === ref || network.id === ref);
  if (exact) return exact;
  const prefixed = networks.filter((network) => /^[0-9a-f]+$/.test(ref) && network.id.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

export interface CreateNetworkOptions {
  readonly name: string;
  readonly driver: string;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  readonly internal: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
}

const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** `network create`: Docker's checks, a free subnet when none is given. Call under the host network lock. */
export async function createNetwork(config: BerthConfig, request: CreateNetworkOptions): Promise<Network> {
  if (request.driver !== 'bridge') throw new BerthError('not-implemented', `network driver ${JSON.stringify(request.driver)} is not supported (berth has the bridge driver only)`);
  if (!NETWORK_NAME.test(request.name)) throw new BerthError('invalid-argument', `invalid network name ${JSON.stringify(request.name)}: must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  if ((MODE_NETWORKS as readonly string[]).includes(request.name) || request.name === DEFAULT_NETWORK) {
    throw new BerthError('failed-precondition', `operation is not permitted on predefined ${request.name} network `);
  }
  for (const key of Object.keys(request.options)) {
    if (key !== BRIDGE_NAME_OPTION) throw new BerthError('not-implemented', `network option ${JSON.stringify(key)} is not supported`);
  }
  const existing = await listNetworks(config);
  if (existing.some((network) => network.name === request.name)) throw new BerthError('already-exists', `network with name ${request.name} already exists`);
  const taken = [config.bridgeSubnet, ...existing.map((network) => network.subnet)];

  let subnet = request.subnet;
  if (subnet !== undefined) {
    const parsed = parseCidr(subnet);
    if (!parsed) throw new BerthError('invalid-argument', `invalid subnet ${subnet}: berth takes IPv4 subnets from /8 to /30`);
    subnet = `${toAddress(parsed.base)}/${parsed.prefix}`;
    if (taken.some((other) => overlaps(other, subnet!))) throw new BerthError('invalid-argument', 'Pool overlaps with other one on this address space');
  } else {
    if (request.gateway || request.ipRange) throw new BerthError('invalid-argument', 'a --gateway or --ip-range needs a --subnet');
    const base = toNumber(USER_NETWORK_POOL.first.join('.'));
    for (let index = 0; index < USER_NETWORK_POOL.count && subnet === undefined; index += 1) {
      const candidate = `${toAddress(base + index * 256)}/24`;
      if (!taken.some((other) => overlaps(other, candidate))) subnet = candidate;
    }
    if (subnet === undefined) throw new BerthError('failed-precondition', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }
  const parsedSubnet = parseCidr(subnet)!;
  const inSubnet = (address: string) => isIPv4(address) && toNumber(address) > parsedSubnet.base && toNumber(address) < parsedSubnet.base + parsedSubnet.size - 1;
  if (request.gateway !== undefined && !inSubnet(request.gateway)) throw new BerthError('invalid-argument', `no matching subnet for gateway ${request.gateway}`);
  if (request.ipRange !== undefined) {
    const range = parseCidr(request.ipRange);
    if (!range || range.base < parsedSubnet.base || range.base + range.size > parsedSubnet.base + parsedSubnet.size) {
      throw new BerthError('invalid-argument', `no matching subnet for range ${request.ipRange}`);
    }
  }

  const id = randomBytes(32).toString('hex');
  const bridge = request.options[BRIDGE_NAME_OPTION] ?? `br-${id.slice(0, 12)}`;
  if (bridge.length > 15) throw new BerthError('invalid-argument', `bridge name ${JSON.stringify(bridge)} is longer than the kernel's 15 characters`);
  const file = networkFile(config, request.name);
  await mkdir(config.cniNetconfPath, { recursive: true });
  await writeNetwork(file, bridgeConfigList(request.name, { bridge, subnet, gateway: request.gateway, ipRange: request.ipRange, internal: request.internal }), {
    labels: { ...request.labels },
    options: { ...request.options, [BRIDGE_NAME_OPTION]: bridge },
    internal: request.internal || undefined,
    ipRange: request.ipRange,
  });
  return (await readNetwork(file))!;
}

/** Deletes a network's config and its bridge device. Call under the host network lock, after checking it has no endpoints. */
export async function removeNetworkFiles(network: Network): Promise<void> {
  await rm(network.file, { force: true });
  await removeMasquerade(network);
  await new Promise<void>((resolvePromise) => childProcess().execFile('ip', ['link', 'delete', network.bridge, 'type', 'bridge'], () => resolvePromise()));
}
