// Published ports: Docker's `-p`/`--expose` grammar into Docker's ExposedPorts/PortBindings,
// and, at create, concrete host ports for them. Host ports are a host-wide resource: the
// attachments of every container on this host (whatever its namespace or containerd) are the
// registry, read under the host network lock, and a bind() test finds other programs' ports.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { isIP } from 'node:net';
import { BerthError } from '../../errors.js';
import { dgram } from '../../lazy-node.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** Docker's `HostConfig.PortBindings` value: HostPort may be empty or a range to pick from. */
export interface PortBinding {
  readonly HostIp: string;
  readonly HostPort: string;
}

export interface PublishSpec {
  /** `80/tcp` → {} */
  readonly exposed: Record<string, Record<string, never>>;
  readonly bindings: Record<string, PortBinding[]>;
}

function usage(message: string): BerthError {
  return new BerthError('usage', message);
}

function parsePortRange(text: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

function splitProto(text: string): [string, string] {
  const slash = text.lastIndexOf('/');
  if (slash === -1) return [text, 'tcp'];
  return [text.slice(0, slash), text.slice(slash + 1) || 'tcp'];
}

function validProto(proto: string): Protocol {
  const lower = proto.toLowerCase();
  if (lower === 'tcp' || lower === 'udp' || lower === 'sctp') return lower;
  throw usage(`invalid proto: ${proto}`);
}

/** `ip:hostPort:containerPort`, where ip may be an IPv6 address, bracketed or not. */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1];
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0], container];
  if (n === 3) return [parts[0], parts[1], container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2], container];
}

/** One `-p` value, as Docker's nat.ParsePortSpec reads it. */
export function parsePortSpec(raw: string): { port: string; binding: PortBinding }[] {
  let [ip, hostPort, containerText] = splitParts(raw);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) throw usage(`invalid IP address: ${ip}`);
  const [containerPort, protoText] = splitProto(containerText);
  if (containerPort === '') throw usage(`no port specified: ${raw}<empty>`);
  const containerRange = parsePortRange(containerPort);
  if (!containerRange) throw usage(`invalid containerPort: ${containerPort}`);
  let hostRange: [number, number] | undefined;
  if (hostPort !== '') {
    hostRange = parsePortRange(hostPort);
    if (!hostRange) throw usage(`invalid hostPort: ${hostPort}`);
  }
  const proto = validProto(protoText);
  const [start, end] = containerRange;
  if (hostRange && end - start !== hostRange[1] - hostRange[0] && end !== start) {
    throw usage(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const result: { port: string; binding: PortBinding }[] = [];
  for (let offset = 0; offset <= end - start; offset += 1) {
    let host = hostPort;
    // a host range as long as the container range maps one to one; a single container port keeps the range to pick from
    if (hostRange && end !== start) host = String(hostRange[0] + offset);
    else if (hostRange && hostRange[0] === hostRange[1]) host = String(hostRange[0]);
    result.push({ port: `${start + offset}/${proto}`, binding: { HostIp: ip, HostPort: host } });
  }
  return result;
}

/** `--expose 80`, `--expose 8000-8010/udp`. */
export function parseExpose(raw: string): string[] {
  const [portText, protoText] = splitProto(raw);
  const range = parsePortRange(portText);
  if (!range) throw usage(`invalid range format for --expose: ${raw}, error: invalid port ${JSON.stringify(portText)}`);
  const proto = validProto(protoText);
  const ports: string[] = [];
  for (let port = range[0]; port <= range[1]; port += 1) ports.push(`${port}/${proto}`);
  return ports;
}

export function parsePublish(publish: readonly string[], expose: readonly string[]): PublishSpec {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const raw of expose) for (const port of parseExpose(raw)) exposed[port] = {};
  for (const raw of publish) {
    for (const { port, binding } of parsePortSpec(raw)) {
      exposed[port] = {};
      (bindings[port] ??= []).push(binding);
    }
  }
  return { exposed, bindings };
}

/** `-P`: every exposed port (the image's and `--expose`'s) to a random host port, unless `-p` bound it. */
export function publishAll(bindings: Record<string, PortBinding[]>, exposed: readonly string[]): Record<string, PortBinding[]> {
  const result = { ...bindings };
  for (const port of exposed) result[port] ??= [{ HostIp: '', HostPort: '' }];
  return result;
}

/** A host port bound to a container port, as the portmap plugin takes it. */
export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /** '' for every address of the host */
  readonly hostIP: string;
}

function overlaps(a: PortMapping, b: { hostPort: number; protocol: string; hostIP: string }): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && (a.hostIP === '' || b.hostIP === '' || a.hostIP === b.hostIP);
}

function displayIp(hostIP: string): string {
  if (hostIP === '') return '0.0.0.0';
  return hostIP.includes(':') ? `[${hostIP}]` : hostIP;
}

/** Whether some program other than berth holds the port; Docker's message when one does. */
async function bindProblem(mapping: Omit<PortMapping, 'containerPort'>): Promise<string | undefined> {
  const host = mapping.hostIP || '0.0.0.0';
  const family = host.includes(':') ? '6' : '4';
  if (mapping.protocol === 'sctp') return undefined; // Node cannot bind SCTP; the registry still guards berth's own
  const attempt =
    mapping.protocol === 'tcp'
      ? new Promise<void>((resolvePromise, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ host, port: mapping.hostPort, exclusive: true }, () => server.close(() => resolvePromise()));
        })
      : new Promise<void>((resolvePromise, reject) => {
          const socket = dgram().createSocket(family === '6' ? 'udp6' : 'udp4');
          socket.once('error', reject);
          socket.bind({ address: host, port: mapping.hostPort, exclusive: true }, () => socket.close(() => resolvePromise()));
        });
  try {
    await attempt;
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'address already in use' : code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : String((error as Error).message);
    return `Error starting userland proxy: listen ${mapping.protocol}${family} ${displayIp(mapping.hostIP)}:${mapping.hostPort}: bind: ${reason}`;
  }
}

async function ephemeralRange(): Promise<[number, number]> {
  try {
    const [low, high] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // Docker's own defaults below
  }
  return [32768, 60999];
}

/**
 * Concrete host ports for the bindings: fixed ports checked, empty ones and ranges given a free
 * port. `taken` are the mappings of every other container on this host. Call under the host
 * network lock, so that two creations cannot pick the same port.
 */
export async function allocatePorts(bindings: Readonly<Record<string, readonly PortBinding[]>>, taken: readonly PortMapping[]): Promise<PortMapping[]> {
  const allocated: PortMapping[] = [];
  const inUse = (candidate: Omit<PortMapping, 'containerPort'>) => [...taken, ...allocated].some((other) => overlaps(other, candidate));
  let ephemeral: [number, number] | undefined;
  for (const [port, list] of Object.entries(bindings)) {
    const [containerText, proto] = splitProto(port);
    const containerPort = Number(containerText);
    const protocol = validProto(proto);
    for (const binding of list) {
      const hostIP = binding.HostIp === '0.0.0.0' ? '' : binding.HostIp;
      let candidates: [number, number];
      if (binding.HostPort === '') candidates = ephemeral ??= await ephemeralRange();
      else {
        const range = parsePortRange(binding.HostPort);
        if (!range) throw usage(`invalid hostPort: ${binding.HostPort}`);
        candidates = range;
      }
      const fixed = candidates[0] === candidates[1];
      let chosen: PortMapping | undefined;
      let lastProblem = '';
      for (let hostPort = candidates[0]; hostPort <= candidates[1] && !chosen; hostPort += 1) {
        const candidate = { hostPort, containerPort, protocol, hostIP };
        if (inUse(candidate)) {
          lastProblem = `Bind for ${displayIp(hostIP)}:${hostPort} failed: port is already allocated`;
          continue;
        }
        const problem = await bindProblem(candidate);
        if (problem) {
          lastProblem = problem;
          continue;
        }
        chosen = candidate;
      }
      if (!chosen) {
        throw new BerthError('already-exists', fixed ? lastProblem : `no free host port in ${candidates[0]}-${candidates[1]} for ${port}: ${lastProblem}`);
      }
      allocated.push(chosen);
    }
  }
  return allocated;
}

/**
 * Docker's PORTS column: `127.0.0.1:8080->80/tcp`, in container-port order, each address and
 * protocol's consecutive ports folded into one range (`0.0.0.0:9000-9001->90-91/udp`).
 */
export function portsColumn(mappings: readonly PortMapping[], exposed: readonly string[]): string {
  const sorted = [...mappings].sort(
    (a, b) => a.containerPort - b.containerPort || a.hostIP.localeCompare(b.hostIP) || a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol),
  );
  const groups = new Map<string, { first: PortMapping; last: PortMapping }[]>();
  for (const mapping of sorted) {
    const key = `${mapping.hostIP}/${mapping.protocol}`;
    const runs = groups.get(key) ?? [];
    groups.set(key, runs);
    const run = runs.at(-1);
    if (run && run.last.containerPort + 1 === mapping.containerPort && run.last.hostPort + 1 === mapping.hostPort) run.last = mapping;
    else runs.push({ first: mapping, last: mapping });
  }
  const range = (first: number, last: number) => (first === last ? String(first) : `${first}-${last}`);
  const entries = [...groups.values()].flatMap((runs) =>
    runs.map(({ first, last }) => `${displayIp(first.hostIP)}:${range(first.hostPort, last.hostPort)}->${range(first.containerPort, last.containerPort)}/${first.protocol}`),
  );
  const published = new Set(mappings.map((mapping) => `${mapping.containerPort}/${mapping.protocol}`));
  for (const port of [...exposed].sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))) if (!published.has(port)) entries.push(port);
  return entries.join(', ');
}

/** The mappings a container's ports label holds (written at create); none when absent or unreadable. */
export function portMappingsFromLabel(text: string | undefined): PortMapping[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as PortMapping[]) : [];
  } catch {
    return [];
  }
}

/**
 * `port`'s lines: `80/tcp -> 127.0.0.1:8080` for every mapping, or the host addresses of one
 * container port (`80`, `80/udp`) alone; undefined when that port is not published.
 */
export function portLines(mappings: readonly PortMapping[], privatePort?: string): string[] | undefined {
  const sorted = [...mappings].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostPort - b.hostPort);
  const address = (mapping: PortMapping) => `${displayIp(mapping.hostIP)}:${mapping.hostPort}`;
  if (privatePort === undefined) return sorted.map((mapping) => `${mapping.containerPort}/${mapping.protocol} -> ${address(mapping)}`);
  const [portText, proto] = splitProto(privatePort);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw usage(`Error: invalid port (${portText}): strconv.Atoi: parsing ${JSON.stringify(portText)}: invalid syntax`);
  const matching = sorted.filter((mapping) => mapping.containerPort === port && mapping.protocol === proto.toLowerCase());
  return matching.length > 0 ? matching.map(address) : undefined;
}
