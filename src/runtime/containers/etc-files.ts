// /etc/hostname, /etc/hosts and /etc/resolv.conf for a container, as Docker writes them: the
// contents are pure functions of the host's files and the container's settings; writeEtcFiles
// puts them in the container's directory, from where the spec bind-mounts them.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type NetworkMode = 'none' | 'host' | 'bridge';

export interface EtcFiles {
  /** host paths of the files to bind-mount at /etc/hostname, /etc/hosts, /etc/resolv.conf */
  readonly hostname: string;
  readonly hosts: string;
  readonly resolvConf: string;
}

/** The loopback and IPv6 multicast names every container's /etc/hosts starts with. */
const DEFAULT_HOSTS: readonly (readonly [string, string])[] = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

/** Public resolvers Docker falls back to when the host names none a container can reach. */
const FALLBACK_NAMESERVERS_V4 = ['8.8.8.8', '8.8.4.4'];
const FALLBACK_NAMESERVERS_V6 = ['2001:4860:4860::8888', '2001:4860:4860::8844'];

/** The stub address systemd-resolved puts in /etc/resolv.conf; only the host can reach it. */
const SYSTEMD_RESOLVED_STUB = '127.0.0.53';

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

/**
 * A container on a network gets a line for its own address first (`IP fqdn short`); under
 * `--network none` it has no address, so the file holds only the defaults, as in Docker.
 */
export function hostsFile(options: { hostname: string; domainname?: string; ip?: string }): string {
  const lines: string[] = [];
  if (options.ip) {
    const fqdn = options.domainname ? `${options.hostname}.${options.domainname}` : options.hostname;
    const short = fqdn.includes('.') ? ` ${fqdn.split('.', 1)[0]}` : '';
    lines.push(`${options.ip}\t${fqdn}${short}`);
  }
  for (const [ip, names] of DEFAULT_HOSTS) lines.push(`${ip}\t${names}`);
  return `${lines.join('\n')}\n`;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
  /** lines that are none of the above (`domain`, `sortlist` …), kept as written */
  other: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const parsed: ResolvConf = { nameservers: [], search: [], options: [], other: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === 'nameserver') {
      if (values[0]) parsed.nameservers.push(values[0]);
    } else if (keyword === 'search') {
      // the last search line wins, as in the resolver
      parsed.search = values;
    } else if (keyword === 'options') {
      parsed.options.push(...values);
    } else {
      parsed.other.push(line);
    }
  }
  return parsed;
}

function isLoopback(address: string): boolean {
  const plain = address.split('%', 1)[0];
  return plain.startsWith('127.') || plain === '::1' || plain === '0:0:0:0:0:0:0:1';
}

/**
 * The container's resolv.conf from the host's. With `--network host` it is the host's file
 * as is. Otherwise loopback nameservers go (the host's resolver is not reachable from the
 * container's network namespace), IPv6 ones too unless the container has IPv6, and with none
 * left Docker's public fallbacks are used; search and options are kept.
 */
export function containerResolvConf(hostText: string, networkMode: NetworkMode, ipv6 = false): string {
  if (networkMode === 'host') return hostText;
  const host = parseResolvConf(hostText);
  let nameservers = host.nameservers.filter((address) => !isLoopback(address) && (ipv6 || !address.includes(':')));
  if (nameservers.length === 0) nameservers = ipv6 ? [...FALLBACK_NAMESERVERS_V4, ...FALLBACK_NAMESERVERS_V6] : [...FALLBACK_NAMESERVERS_V4];
  const lines = ['# written by berth from the host\'s resolv.conf, without loopback nameservers'];
  for (const address of nameservers) lines.push(`nameserver ${address}`);
  if (host.search.length > 0) lines.push(`search ${host.search.join(' ')}`);
  if (host.options.length > 0) lines.push(`options ${host.options.join(' ')}`);
  lines.push(...host.other);
  return `${lines.join('\n')}\n`;
}

/** On a systemd-resolved host the real upstream servers are in resolved's own file. */
export function usesSystemdResolvedStub(hostText: string): boolean {
  const { nameservers } = parseResolvConf(hostText);
  return nameservers.length === 1 && nameservers[0] === SYSTEMD_RESOLVED_STUB;
}

export interface HostNetworkFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly systemdResolvConf: string;
}

const HOST_FILES: HostNetworkFiles = {
  hosts: '/etc/hosts',
  resolvConf: '/etc/resolv.conf',
  systemdResolvConf: '/run/systemd/resolve/resolv.conf',
};

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes the three files into `directory` (the container's own) and returns their paths.
 * `--network host` shares the host's /etc/hosts and resolv.conf contents (copied, so the
 * container cannot edit the host's); otherwise the container gets Docker's defaults.
 */
export async function writeEtcFiles(
  directory: string,
  options: { hostname: string; domainname?: string; networkMode: NetworkMode; ip?: string },
  hostFiles: HostNetworkFiles = HOST_FILES,
): Promise<EtcFiles> {
  const paths: EtcFiles = { hostname: join(directory, 'hostname'), hosts: join(directory, 'hosts'), resolvConf: join(directory, 'resolv.conf') };
  const host = options.networkMode === 'host';

  let resolvText = (await readOptional(hostFiles.resolvConf)) ?? '';
  if (!host && usesSystemdResolvedStub(resolvText)) resolvText = (await readOptional(hostFiles.systemdResolvConf)) ?? resolvText;
  const hostsText = host ? ((await readOptional(hostFiles.hosts)) ?? hostsFile(options)) : hostsFile(options);

  await Promise.all([
    writeFile(paths.hostname, hostnameFile(options.hostname), { mode: 0o644 }),
    writeFile(paths.hosts, hostsText, { mode: 0o644 }),
    writeFile(paths.resolvConf, containerResolvConf(resolvText, options.networkMode), { mode: 0o644 }),
  ]);
  return paths;
}
