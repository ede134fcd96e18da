// /etc/hostname, /etc/hosts and /etc/resolv.conf for a container, as Docker writes them: the
// contents are pure functions of the host's files and the container's settings; writeEtcFiles
// puts them in the container's directory, from where the spec bind-mounts them.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** none, host, or the network the container is on */
export type NetworkMode = string;

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

/** `--add-host NAME:IP` (or `NAME=IP`), the IP already resolved from `host-gateway`. */
export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

/**
 * Docker's order: the defaults, then `--add-host` entries, then the container's own address
 * (`IP fqdn short`, and its name), which only a container on a network has.
 */
export function hostsFile(options: { hostname: string; domainname?: string; ip?: string; aliases?: readonly string[]; extraHosts?: readonly ExtraHost[] }): string {
  const lines: string[] = [];
  for (const [ip, names] of DEFAULT_HOSTS) lines.push(`${ip}\t${names}`);
  for (const extra of options.extraHosts ?? []) lines.push(`${extra.ip}\t${extra.name}`);
  if (options.ip) {
    const fqdn = options.domainname ? `${options.hostname}.${options.domainname}` : options.hostname;
    const names = [fqdn];
    if (fqdn.includes('.')) names.push(fqdn.split('.', 1)[0]);
    for (const alias of options.aliases ?? []) if (!names.includes(alias)) names.push(alias);
    lines.push(`${options.ip}\t${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--dns`, `--dns-search`, `--dns-option`: each replaces the host's when given. */
export interface DnsSettings {
  readonly servers?: readonly string[];
  readonly search?: readonly string[];
  readonly options?: readonly string[];
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
export function containerResolvConf(hostText: string, networkMode: NetworkMode, ipv6 = false, dns: DnsSettings = {}): string {
  if (networkMode === 'host' && !dns.servers?.length && !dns.search?.length && !dns.options?.length) return hostText;
  const host = parseResolvConf(hostText);
  let nameservers = host.nameservers.filter((address) => networkMode === 'host' || (!isLoopback(address) && (ipv6 || !address.includes(':'))));
  if (nameservers.length === 0) nameservers = ipv6 ? [...FALLBACK_NAMESERVERS_V4, ...FALLBACK_NAMESERVERS_V6] : [...FALLBACK_NAMESERVERS_V4];
  if (dns.servers?.length) nameservers = [...dns.servers];
  // `--dns-search .` means no search domains at all
  const search = dns.search?.length ? dns.search.filter((domain) => domain !== '.') : host.search;
  const options = dns.options?.length ? dns.options : host.options;
  const lines = ['# written by berth from the host\'s resolv.conf, without loopback nameservers'];
  for (const address of nameservers) lines.push(`nameserver ${address}`);
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  lines.push(...host.other.filter((line) => !(dns.search?.length && line.startsWith('domain'))));
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

export interface EtcFilesSettings {
  readonly hostname: string;
  readonly domainname?: string;
  readonly networkMode: NetworkMode;
  readonly ip?: string;
  readonly aliases?: readonly string[];
  readonly extraHosts?: readonly ExtraHost[];
  readonly dns?: DnsSettings;
}

/**
 * Writes the three files into `directory` (the container's own) and returns their paths.
 * `--network host` shares the host's /etc/hosts and resolv.conf contents (copied, so the
 * container cannot edit the host's); otherwise the container gets Docker's defaults.
 */
export async function writeEtcFiles(directory: string, options: EtcFilesSettings, hostFiles: HostNetworkFiles = HOST_FILES): Promise<EtcFiles> {
  const paths: EtcFiles = { hostname: join(directory, 'hostname'), hosts: join(directory, 'hosts'), resolvConf: join(directory, 'resolv.conf') };
  const host = options.networkMode === 'host';

  let resolvText = (await readOptional(hostFiles.resolvConf)) ?? '';
  if (!host && usesSystemdResolvedStub(resolvText)) resolvText = (await readOptional(hostFiles.systemdResolvConf)) ?? resolvText;
  let hostsText = host ? ((await readOptional(hostFiles.hosts)) ?? hostsFile(options)) : hostsFile(options);
  if (host && options.extraHosts?.length) hostsText += options.extraHosts.map((extra) => `${extra.ip}\t${extra.name}\n`).join('');

  await Promise.all([
    writeFile(paths.hostname, hostnameFile(options.hostname), { mode: 0o644 }),
    writeFile(paths.hosts, hostsText, { mode: 0o644 }),
    writeFile(paths.resolvConf, containerResolvConf(resolvText, options.networkMode, false, options.dns), { mode: 0o644 }),
  ]);
  return paths;
}
