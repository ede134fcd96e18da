// berth's networks are CNI network config lists (`.conflist`) in the CNI config directory, one
// file each; berth's own facts about a network (ID, creation time, labels) ride along in the
// same file under a `berth` key, which CNI ignores. `bridge` is written on first use.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { networkConfigListSchema, type NetworkConfigList } from './cni.js';
import { HOST_NETWORK_STATE } from './host-lock.js';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE_DEVICE = 'berth0';

const berthMetadataSchema = z.object({
  id: z.string(),
  created: z.string(),
  labels: z.optional(z.record(z.string(), z.string())),
});

export interface Network {
  readonly name: string;
  readonly id: string;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly file: string;
  readonly configList: NetworkConfigList;
}

function networkFile(config: BerthConfig, name: string): string {
  return join(config.cniNetconfPath, `berth-${name}.conflist`);
}

/** host-local keeps its leases here rather than in /var/lib/cni: they belong with the netns they were given to. */
const IPAM_DATA_DIRECTORY = join(HOST_NETWORK_STATE, 'ipam');

/** The first address of a subnet, where the bridge sits. */
export function gatewayOf(subnet: string): string {
  const [address] = subnet.split('/');
  const octets = address.split('.').map(Number);
  octets[3] += 1;
  return octets.join('.');
}

export function bridgeConfigList(name: string, options: { bridge: string; subnet: string; gateway?: string }): NetworkConfigList {
  return {
    cniVersion: '1.0.0',
    name,
    plugins: [
      {
        type: 'bridge',
        bridge: options.bridge,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: options.subnet, gateway: options.gateway ?? gatewayOf(options.subnet) }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: IPAM_DATA_DIRECTORY,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'firewall' },
      { type: 'tuning' },
    ],
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
  const metadata = safeParse(berthMetadataSchema, (parsed.data as Record<string, unknown>).berth);
  const { berth: _ignored, ...configList } = parsed.data as Record<string, unknown>;
  return {
    name: parsed.data.name,
    id: metadata.success ? metadata.data.id : '',
    created: metadata.success ? metadata.data.created : '',
    labels: metadata.success ? metadata.data.labels ?? {} : {},
    file,
    configList: configList as NetworkConfigList,
  };
}

async function writeNetwork(file: string, configList: NetworkConfigList, labels: Record<string, string>): Promise<void> {
  const berth = { id: randomBytes(32).toString('hex'), created: new Date().toISOString(), labels };
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
  await writeNetwork(file, bridgeConfigList(name, { bridge: DEFAULT_BRIDGE_DEVICE, subnet: config.bridgeSubnet }), {});
  return (await readNetwork(file))!;
}
