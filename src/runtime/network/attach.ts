// A container joins its network at create and leaves it at rm (see netns.ts for why not at
// start/stop). What the ADD returned is cached per container, with the config list it was made
// from: DEL needs both, also after the network's file was changed or removed.

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { BerthConfig } from '../../config/config.js';
import { safeParse } from '../../validation.js';
import { addNetwork, deleteNetwork, networkConfigListSchema, type CniResult } from './cni.js';
import { HOST_NETWORK_STATE, withHostNetworkLock } from './host-lock.js';
import { createNetns, deleteNetns, netnsPath } from './netns.js';
import { loadNetwork } from './networks.js';
import { allocatePorts, type PortBinding, type PortMapping } from './ports.js';

const IF_NAME = 'eth0';
const ATTACHMENTS_DIRECTORY = join(HOST_NETWORK_STATE, 'attachments');

const attachmentSchema = z.object({
  network: z.string(),
  networkId: z.string(),
  configList: networkConfigListSchema,
  result: z.looseObject({}),
  portMappings: z.array(z.object({ hostPort: z.number(), containerPort: z.number(), protocol: z.enum(['tcp', 'udp', 'sctp']), hostIP: z.string() })),
});

const attachmentsSchema = z.object({ netns: z.string(), attachments: z.array(attachmentSchema) });

export type NetworkAttachments = z.output<typeof attachmentsSchema>;

/** What a container's endpoint on one network looks like, for inspect and /etc/hosts. */
export interface Endpoint {
  readonly network: string;
  readonly networkId: string;
  readonly ipAddress: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly macAddress: string;
  readonly portMappings: readonly PortMapping[];
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

export function endpointOf(attachment: NetworkAttachments['attachments'][number]): Endpoint {
  const result = attachment.result as CniResult;
  const interfaces = result.interfaces ?? [];
  const ip = (result.ips ?? []).find((candidate) => !candidate.address.includes(':')) ?? result.ips?.[0];
  const [address, prefix] = (ip?.address ?? '').split('/');
  const containerInterface = interfaces[ip?.interface ?? -1] ?? interfaces.find((candidate) => candidate.name === IF_NAME && candidate.sandbox);
  return {
    network: attachment.network,
    networkId: attachment.networkId,
    ipAddress: address ?? '',
    prefixLength: Number(prefix ?? 0),
    gateway: ip?.gateway ?? '',
    macAddress: containerInterface?.mac ?? '',
    portMappings: attachment.portMappings,
  };
}

/** Every host port berth's containers hold, on this host: the registry ports are allocated against. */
async function portsTaken(): Promise<PortMapping[]> {
  let files: string[];
  try {
    files = await readdir(ATTACHMENTS_DIRECTORY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const saved = await Promise.all(files.filter((file) => file.endsWith('.json')).map((file) => readAttachments(file.slice(0, -'.json'.length))));
  return saved.flatMap((entry) => entry?.attachments.flatMap((attachment) => attachment.portMappings) ?? []);
}

/**
 * Makes the container's network namespace, gives its published ports host ports and joins it to
 * `network`; returns the endpoint. On failure nothing is left: no namespace, address or rule.
 */
export async function attachContainer(
  config: BerthConfig,
  containerId: string,
  network: string,
  bindings: Readonly<Record<string, readonly PortBinding[]>>,
): Promise<{ netns: string; endpoint: Endpoint }> {
  return withHostNetworkLock(async () => {
    const loaded = await loadNetwork(config, network);
    const portMappings = Object.keys(bindings).length > 0 ? await allocatePorts(bindings, await portsTaken()) : [];
    const netns = await createNetns(containerId);
    const attachment = { containerId, netns, ifName: IF_NAME, capabilityArgs: portMappings.length > 0 ? { portMappings } : undefined };
    let result: CniResult | undefined;
    try {
      result = await addNetwork(config.cniPath, loaded.configList, attachment);
      const record = { network: loaded.name, networkId: loaded.id, configList: loaded.configList, result, portMappings: [...portMappings] };
      await saveAttachments(containerId, { netns, attachments: [record] });
      return { netns, endpoint: endpointOf(record) };
    } catch (error) {
      await deleteNetwork(config.cniPath, loaded.configList, attachment, result).catch(() => undefined);
      await deleteNetns(containerId).catch(() => undefined);
      await rm(attachmentsFile(containerId), { force: true });
      throw error;
    }
  });
}

/** Undoes attachContainer: every network left, the namespace and the cache removed. Idempotent. */
export async function detachContainer(config: BerthConfig, containerId: string): Promise<void> {
  await withHostNetworkLock(async () => {
    const saved = await readAttachments(containerId);
    const netns = saved?.netns ?? netnsPath(containerId);
    const failures: unknown[] = [];
    for (const attachment of saved?.attachments ?? []) {
      const target = { containerId, netns, ifName: IF_NAME, capabilityArgs: attachment.portMappings.length > 0 ? { portMappings: attachment.portMappings } : undefined };
      await deleteNetwork(config.cniPath, attachment.configList, target, attachment.result as CniResult).catch((error: unknown) => failures.push(error));
    }
    await deleteNetns(containerId).catch((error: unknown) => failures.push(error));
    await rm(attachmentsFile(containerId), { force: true });
    if (failures.length > 0) throw failures[0];
  });
}
