// Global options: accepted before the command as in Docker and nerdctl, and in their long
// forms after the command name (up to its first positional argument) unless the command has
// a flag of that name. The argv pre-pass takes them out before oclif sees the command's argv.

export interface GlobalFlagSpec {
  /** long name without dashes */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** short forms, only honoured before the command */
  readonly chars?: readonly string[];
  readonly takesValue: boolean;
  readonly repeatable?: boolean;
  readonly env?: string;
  readonly description: string;
}

export const GLOBAL_FLAGS: readonly GlobalFlagSpec[] = [
  { name: 'address', aliases: ['host'], chars: ['H'], takesValue: true, env: 'CONTAINERD_ADDRESS', description: 'containerd address (unix socket path, unix:// accepted)' },
  { name: 'namespace', chars: ['n'], takesValue: true, env: 'CONTAINERD_NAMESPACE', description: 'containerd namespace' },
  { name: 'snapshotter', aliases: ['storage-driver'], takesValue: true, env: 'CONTAINERD_SNAPSHOTTER', description: 'containerd snapshotter' },
  { name: 'data-root', takesValue: true, description: "berth's data directory" },
  { name: 'cni-path', takesValue: true, env: 'CNI_PATH', description: 'directory of the CNI plugin binaries' },
  { name: 'cni-netconfpath', takesValue: true, env: 'NETCONFPATH', description: 'directory of the CNI network configurations' },
  { name: 'hosts-dir', takesValue: true, repeatable: true, description: 'certs.d directory of registry host settings (hosts.toml, CA and client certificates); repeatable' },
  { name: 'insecure-registry', takesValue: true, repeatable: true, description: 'registry host allowed over plain HTTP or unverified TLS (repeatable)' },
  { name: 'debug', chars: ['D'], takesValue: false, description: 'debug output on stderr' },
];

/** What the user gave on the command line, by long name; `insecure-registry` is a list. */
export type GlobalFlagValues = Partial<Record<string, string | string[] | boolean>>;

export function findGlobalFlag(longName: string): GlobalFlagSpec | undefined {
  return GLOBAL_FLAGS.find((flag) => flag.name === longName || flag.aliases?.includes(longName));
}

export function findGlobalChar(char: string): GlobalFlagSpec | undefined {
  return GLOBAL_FLAGS.find((flag) => flag.chars?.includes(char));
}
