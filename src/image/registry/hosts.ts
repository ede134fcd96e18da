// Which URLs serve a registry, in which order, and with which TLS settings. Configuration comes
// from certs.d directories: containerd's `<dir>/<host>/hosts.toml` (server, mirrors, CAs, client
// certificates, skip_verify) or, without it, Docker's files in `<dir>/<host>/` (`*.crt` CAs,
// `*.cert` + `*.key` client pairs). `--insecure-registry` hosts get HTTPS without verification
// first, then plain HTTP. Local hosts may use plain HTTP too, but an HTTPS server there is still
// verified: a registry on 127.0.0.1 with an unknown certificate is refused, not trusted blindly.

import { readdir, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as z from 'zod/mini';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { registryEndpointHost } from '../reference.js';

export type Capability = 'pull' | 'resolve' | 'push';

export interface ClientCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TlsSettings {
  /** CAs trusted on top of the default ones */
  readonly ca: readonly Buffer[];
  readonly clientCertificates: readonly ClientCertificate[];
  readonly skipVerify: boolean;
}

export interface EndpointConfig {
  /** the API root, e.g. `https://registry-1.docker.io/v2` */
  readonly base: URL;
  readonly capabilities: ReadonlySet<Capability>;
  readonly tls: TlsSettings;
  readonly headers: Readonly<Record<string, string>>;
  /** a hosts.toml mirror: whatever fails there is tried at the next endpoint */
  readonly mirror: boolean;
  /** whose credentials to send: the registry's for its server, a mirror's own host for a mirror */
  readonly credentialsHost: string;
  /** unverified HTTPS to a host that may speak only HTTP: a connection failure moves on to the HTTP endpoint after it */
  readonly insecureHttps: boolean;
  /**
   * verified HTTPS to a local host (localhost, 127.0.0.0/8, ::1) that may speak only HTTP: a
   * failure other than an untrusted certificate moves on to the HTTP endpoint after it
   */
  readonly localHttps: boolean;
}

export interface HostsOptions {
  readonly certsDirs: readonly string[];
  readonly insecureRegistries: readonly string[];
}

export const DEFAULT_CERTS_DIRS: readonly string[] = ['/etc/containerd/certs.d', '/etc/docker/certs.d'];

const ALL_CAPABILITIES: ReadonlySet<Capability> = new Set(['pull', 'resolve', 'push']);
const NO_TLS: TlsSettings = { ca: [], clientCertificates: [], skipVerify: false };

const pathList = z.union([z.string(), z.array(z.string())]);
const certificatePair = z.tuple([z.string(), z.string()]);
const hostSettingsShape = {
  capabilities: z.optional(z.array(z.enum(['pull', 'resolve', 'push']))),
  ca: z.optional(pathList),
  // a file holding certificate and key, a [certificate, key] pair, or a list of either
  client: z.optional(z.union([z.string(), certificatePair, z.array(z.union([z.string(), certificatePair]))])),
  skip_verify: z.optional(z.boolean()),
  header: z.optional(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
  override_path: z.optional(z.boolean()),
};
const hostSettingsSchema = z.looseObject(hostSettingsShape);
const hostsFileSchema = z.looseObject({
  server: z.optional(z.string()),
  ...hostSettingsShape,
  host: z.optional(z.record(z.string(), hostSettingsSchema)),
});

type HostSettings = z.infer<typeof hostSettingsSchema>;

/** The endpoints to try for `registry` (a reference's domain), in order. */
export async function registryEndpoints(registry: string, options: HostsOptions): Promise<EndpointConfig[]> {
  const insecure = (host: string): boolean => isInsecureRegistry(host, options.insecureRegistries);
  // Docker's leniency for local hosts covers the registry's own address, not addresses configured in hosts.toml.
  const defaultServer = (settings: EndpointSettings): EndpointConfig[] =>
    endpointsFor(apiBase(registryEndpointHost(registry), false), settings, insecure(registry) ? 'insecure' : isLocalHost(registry) ? 'local' : 'secure');

  const hostDir = await findHostDir(registry, options.certsDirs);
  const hostsFile = hostDir === undefined ? undefined : await readHostsFile(hostDir);
  if (hostDir === undefined || hostsFile === undefined) {
    const tls = hostDir === undefined ? NO_TLS : await readDockerCertsDir(hostDir);
    return defaultServer({ capabilities: ALL_CAPABILITIES, tls, headers: {}, mirror: false, credentialsHost: registry });
  }

  const { file, config } = hostsFile;
  const endpoints: EndpointConfig[] = [];
  for (const [address, settings] of Object.entries(config.host ?? {})) {
    const base = apiBase(address, settings.override_path ?? false, file);
    const resolved = await resolveSettings(settings, hostDir, file);
    endpoints.push(...endpointsFor(base, { ...resolved, mirror: true, credentialsHost: base.host }, insecure(base.host) ? 'insecure' : 'secure'));
  }
  const server = { ...(await resolveSettings(config, hostDir, file)), mirror: false, credentialsHost: registry };
  if (config.server === undefined) {
    endpoints.push(...defaultServer(server));
  } else {
    const base = apiBase(config.server, config.override_path ?? false, file);
    endpoints.push(...endpointsFor(base, server, insecure(base.host) ? 'insecure' : 'secure'));
  }
  return endpoints;
}

/** Hosts Docker lets through without TLS unasked: localhost, 127.0.0.0/8 and ::1. */
export function isLocalHost(host: string): boolean {
  const name = hostname(host);
  return name === 'localhost' || name === '::1' || (net.isIPv4(name) && name.startsWith('127.'));
}

/** `--insecure-registry` takes `host[:port]` names and CIDR ranges (matched against IP literals). */
export function isInsecureRegistry(host: string, insecureRegistries: readonly string[]): boolean {
  const lower = host.toLowerCase();
  const name = hostname(host);
  const family = net.isIP(name);
  return insecureRegistries.some((entry) => {
    if (entry.toLowerCase() === lower) return true;
    const [network, prefix] = entry.split('/');
    if (prefix === undefined || family === 0 || net.isIP(network) !== family) return false;
    const ranges = new net.BlockList();
    ranges.addSubnet(network, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
    return ranges.check(name, family === 6 ? 'ipv6' : 'ipv4');
  });
}

type EndpointSettings = Omit<EndpointConfig, 'base' | 'insecureHttps' | 'localHttps'>;

function endpointsFor(base: URL, settings: EndpointSettings, mode: 'secure' | 'insecure' | 'local'): EndpointConfig[] {
  if (base.protocol === 'http:' || mode === 'secure') return [{ ...settings, base, insecureHttps: false, localHttps: false }];
  const plain = new URL(base);
  plain.protocol = 'http:';
  const https: EndpointConfig =
    mode === 'insecure'
      ? { ...settings, base, tls: { ...settings.tls, skipVerify: true }, insecureHttps: true, localHttps: false }
      : { ...settings, base, insecureHttps: false, localHttps: true };
  return [https, { ...settings, base: plain, insecureHttps: false, localHttps: false }];
}

/** `host`, `https://host:5000` or `https://host/prefix` as the API root (`…/v2` unless override_path). */
function apiBase(address: string, overridePath: boolean, file?: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `https://${address}`);
  } catch {
    throw new BerthError('invalid-argument', `${file ?? 'registry'}: invalid registry address "${address}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BerthError('invalid-argument', `${file ?? 'registry'}: registry address "${address}" must use http or https`);
  }
  let pathname = url.pathname.replace(/\/+$/, '');
  if (!overridePath && !pathname.endsWith('/v2')) pathname += '/v2';
  url.pathname = pathname;
  url.search = '';
  url.hash = '';
  return url;
}

async function findHostDir(registry: string, certsDirs: readonly string[]): Promise<string | undefined> {
  for (const dir of certsDirs) {
    const candidate = path.join(dir, registry);
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isDirectory()) return candidate;
  }
  return undefined;
}

async function readHostsFile(hostDir: string): Promise<{ file: string; config: z.infer<typeof hostsFileSchema> } | undefined> {
  const file = path.join(hostDir, 'hosts.toml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BerthError('permission-denied', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    throw new BerthError('invalid-argument', `${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = safeParse(hostsFileSchema, document);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BerthError('invalid-argument', `${file}: ${issue.path.join('.')}: ${issue.message}`, { cause: result.error });
  }
  return { file, config: result.data };
}

async function resolveSettings(settings: HostSettings, hostDir: string, file: string): Promise<Omit<EndpointSettings, 'mirror' | 'credentialsHost'>> {
  const read = (relative: string): Promise<Buffer> => readConfigFile(path.resolve(hostDir, relative), file);
  const caFiles = settings.ca === undefined ? [] : typeof settings.ca === 'string' ? [settings.ca] : settings.ca;
  const clients = settings.client === undefined ? [] : isPair(settings.client) || typeof settings.client === 'string' ? [settings.client] : settings.client;
  const clientCertificates = await Promise.all(
    clients.map(async (client) => {
      if (typeof client === 'string') {
        const combined = await read(client);
        return { cert: combined, key: combined };
      }
      return { cert: await read(client[0]), key: await read(client[1]) };
    }),
  );
  const headers = Object.fromEntries(Object.entries(settings.header ?? {}).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value]));
  return {
    capabilities: settings.capabilities ? new Set(settings.capabilities) : ALL_CAPABILITIES,
    tls: { ca: await Promise.all(caFiles.map(read)), clientCertificates, skipVerify: settings.skip_verify ?? false },
    headers,
  };
}

/** As in containerd, a list of exactly two file names is one certificate and its key. */
function isPair(value: HostSettings['client']): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'string');
}

/** Docker's layout: every `*.crt` is a CA; each `name.cert` needs its `name.key`, and the reverse. */
async function readDockerCertsDir(hostDir: string): Promise<TlsSettings> {
  const names = (await readdir(hostDir)).sort();
  const present = new Set(names);
  const ca: Buffer[] = [];
  const clientCertificates: ClientCertificate[] = [];
  for (const name of names) {
    const full = path.join(hostDir, name);
    if (name.endsWith('.crt')) {
      ca.push(await readConfigFile(full));
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!present.has(keyName)) {
        throw new BerthError('invalid-argument', `missing key ${path.join(hostDir, keyName)} for client certificate ${full}; CA certificates must use the extension .crt`);
      }
      clientCertificates.push({ cert: await readConfigFile(full), key: await readConfigFile(path.join(hostDir, keyName)) });
    } else if (name.endsWith('.key') && !present.has(`${name.slice(0, -'.key'.length)}.cert`)) {
      throw new BerthError('invalid-argument', `missing client certificate ${name.slice(0, -'.key'.length)}.cert for key ${full}`);
    }
  }
  return { ca, clientCertificates, skipVerify: false };
}

async function readConfigFile(file: string, from?: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new BerthError('invalid-argument', `cannot read ${file}${from ? ` (named in ${from})` : ''}: ${(error as Error).message}`, { cause: error });
  }
}

/** The host name of `host[:port]` or `[v6]:port`, lowercase and without brackets. */
function hostname(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']') === -1 ? undefined : lower.indexOf(']'));
  const colon = lower.lastIndexOf(':');
  return colon === -1 || lower.indexOf(':') !== colon ? lower : lower.slice(0, colon);
}
