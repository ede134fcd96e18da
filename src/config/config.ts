// berth's settings from four places, in this order of precedence: command-line flag,
// environment variable, berth.toml, default. Everything is validated here, once.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { BerthError, usageError } from '../errors.js';
import { safeParse } from '../validation.js';
import { GLOBAL_FLAGS, type GlobalFlagValues } from '../cli/globals.js';
import { parse as parseToml } from 'smol-toml';

export const DEFAULT_CONFIG_FILE = '/etc/berth/berth.toml';
export const DEFAULT_ADDRESS = '/run/containerd/containerd.sock';
/** containerd's and Docker's places for per-registry TLS settings, as nerdctl reads them */
export const DEFAULT_HOSTS_DIRS: readonly string[] = ['/etc/containerd/certs.d', '/etc/docker/certs.d'];

/** containerd's identifier rule, which namespaces, container IDs and exec IDs follow. */
const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const IDENTIFIER_MAX_LENGTH = 76;

export function validateNamespace(name: string): string {
  if (name.length === 0) throw usageError('namespace must not be empty');
  if (name.length > IDENTIFIER_MAX_LENGTH) throw usageError(`invalid namespace "${name}": longer than ${IDENTIFIER_MAX_LENGTH} characters`);
  if (!IDENTIFIER.test(name)) {
    throw usageError(`invalid namespace "${name}": must start and end with a letter or digit, and contain only letters, digits and single '.', '_' or '-' between them`);
  }
  return name;
}

/**
 * The default `bridge` network's subnet: clear of Docker's 172.17.0.0/16, nerdctl's 10.4.0.0/24,
 * podman's 10.88.0.0/16 (and its 10.89.x user networks) and k3s' 10.42-43.0.0/16.
 */
export const DEFAULT_BRIDGE_SUBNET = '10.213.0.0/16';

// zod's mini build: every command reads this file, and the full build costs startup time.
const nonEmpty = () => z.string().check(z.minLength(1));
const fileSchema = z.strictObject({
  address: z.optional(nonEmpty()),
  namespace: z.optional(z.string()),
  snapshotter: z.optional(nonEmpty()),
  data_root: z.optional(nonEmpty()),
  cni_path: z.optional(nonEmpty()),
  cni_netconfpath: z.optional(nonEmpty()),
  insecure_registry: z.optional(z.array(nonEmpty())),
  hosts_dir: z.optional(z.array(nonEmpty())),
  debug: z.optional(z.boolean()),
  max_concurrent_downloads: z.optional(z.int().check(z.minimum(1), z.maximum(64))),
  /** the default `bridge` network's IPv4 subnet, used when berth writes that network */
  bridge_subnet: z.optional(
    z.string().check(z.regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-9]|30)$/, { error: 'must be an IPv4 subnet from /16 to /30, e.g. 10.213.0.0/16' })),
  ),
});

export type ConfigFile = z.infer<typeof fileSchema>;

export interface BerthConfig {
  /** absolute socket path, without unix:// */
  readonly address: string;
  readonly namespace: string;
  readonly snapshotter: string;
  readonly dataRoot: string;
  readonly cniPath: string;
  readonly cniNetconfPath: string;
  readonly insecureRegistries: readonly string[];
  /** certs.d directories, first match wins */
  readonly hostsDirs: readonly string[];
  readonly debug: boolean;
  readonly maxConcurrentDownloads: number;
  readonly bridgeSubnet: string;
  /** the berth.toml that was read, if any */
  readonly configFile?: string;
}

export function loadConfigFile(path: string, required: boolean): ConfigFile {
  if (!existsSync(path)) {
    if (required) throw new BerthError('invalid-argument', `config file ${path}: no such file`);
    return {};
  }
  let raw: unknown;
  try {
    raw = parseToml(readFileSync(path, 'utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BerthError('invalid-argument', `config file ${path}: ${detail}`);
  }
  const parsed = safeParse(fileSchema, raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new BerthError('invalid-argument', `config file ${path}: unknown key "${issue.keys[0]}"`);
    }
    const key = issue.path.join('.');
    throw new BerthError('invalid-argument', `config file ${path}: key "${key}": ${issue.message.toLowerCase()}`);
  }
  return parsed.data;
}

function defaultCniPath(): string {
  // Debian's containernetworking-plugins install to /usr/lib/cni; upstream tarballs to /opt/cni/bin.
  return existsSync('/usr/lib/cni') || !existsSync('/opt/cni/bin') ? '/usr/lib/cni' : '/opt/cni/bin';
}

export function normaliseAddress(address: string): string {
  let path = address;
  if (path.startsWith('unix://')) path = path.slice('unix://'.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw usageError(`unsupported containerd address "${address}": only unix sockets are supported`);
  if (path === '') throw usageError('containerd address must not be empty');
  return isAbsolute(path) ? path : resolve(path);
}

export function resolveConfig(flags: GlobalFlagValues, env: NodeJS.ProcessEnv = process.env): BerthConfig {
  const configFile = env.BERTH_TOML || DEFAULT_CONFIG_FILE;
  const file = loadConfigFile(configFile, Boolean(env.BERTH_TOML));

  const pick = (flagName: string, fileValue: string | undefined, fallback: string): string => {
    const flag = flags[flagName];
    if (typeof flag === 'string') return flag;
    const spec = GLOBAL_FLAGS.find((candidate) => candidate.name === flagName);
    const fromEnv = spec?.env ? env[spec.env] : undefined;
    if (fromEnv) return fromEnv;
    return fileValue ?? fallback;
  };

  const insecureFlag = flags['insecure-registry'];
  const hostsDirFlag = flags['hosts-dir'];
  const debugFlag = flags.debug;
  return {
    address: normaliseAddress(pick('address', file.address, DEFAULT_ADDRESS)),
    namespace: validateNamespace(pick('namespace', file.namespace, 'default')),
    snapshotter: pick('snapshotter', file.snapshotter, 'overlayfs'),
    dataRoot: resolve(pick('data-root', file.data_root, '/var/lib/berth')),
    cniPath: pick('cni-path', file.cni_path, defaultCniPath()),
    // Not /etc/cni/net.d: a kubelet on the same node would load berth's networks as its own.
    cniNetconfPath: pick('cni-netconfpath', file.cni_netconfpath, '/etc/berth/cni/net.d'),
    insecureRegistries: Array.isArray(insecureFlag) ? insecureFlag : (file.insecure_registry ?? []),
    hostsDirs: Array.isArray(hostsDirFlag) ? hostsDirFlag : (file.hosts_dir ?? DEFAULT_HOSTS_DIRS),
    debug: typeof debugFlag === 'boolean' ? debugFlag : (file.debug ?? false),
    maxConcurrentDownloads: file.max_concurrent_downloads ?? 3,
    bridgeSubnet: file.bridge_subnet ?? DEFAULT_BRIDGE_SUBNET,
    configFile: existsSync(configFile) ? configFile : undefined,
  };
}

/**
 * berth's state for one containerd: two containerds never share it. Keyed like nerdctl's
 * data root, by a short hash of the socket's real path.
 */
export function stateDirectory(config: BerthConfig): string {
  let socket = config.address;
  try {
    socket = realpathSync(config.address);
  } catch {
    // a socket that is not there yet still gets a stable directory
  }
  const key = createHash('sha256').update(socket).digest('hex').slice(0, 8);
  return join(config.dataRoot, key);
}
