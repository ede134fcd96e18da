// The flags of `run` and `create`: every flag `docker run --help` shows, so help and the argv
// pre-pass know each one's shape. The flags berth does not support yet are declared too and
// refused by name in toRunRequest; nothing is accepted and ignored. Values are kept as the
// strings the user typed: create-options parses them with Docker's grammar and messages.

import * as Flags from '@oclif/core/flags';

type Char = Parameters<typeof Flags.string>[0] extends infer O ? (O extends { char?: infer C } ? C : never) : never;

const NOT_YET = ' (not supported yet)';

/** A flag that takes one value. */
const value = (description: string, helpValue = 'string', char?: Char) => Flags.string({ description, helpValue, ...(char ? { char } : {}) });

/** A flag Docker lets the user repeat (`-e A -e B`); never greedy, so `-e A IMAGE` keeps IMAGE. */
const list = (description: string, helpValue = 'list', char?: Char) =>
  Flags.string({ description, helpValue, multiple: true, multipleNonGreedy: true, ...(char ? { char } : {}) });

const toggle = (description: string, char?: Char) => Flags.boolean({ description, ...(char ? { char } : {}) });

/** Declared so the grammar is right; giving it is an error naming the flag. */
const laterValue = (description: string, helpValue = 'string', char?: Char) => value(description + NOT_YET, helpValue, char);
const laterList = (description: string, helpValue = 'list', char?: Char) => list(description + NOT_YET, helpValue, char);
const laterToggle = (description: string, char?: Char) => toggle(description + NOT_YET, char);

/** The flags `run` and `create` share, supported or not. */
const COMMON_FLAGS = {
  'add-host': list('add a custom host-to-IP mapping (host:ip, host:host-gateway)'),
  annotation: list('add an annotation to the container, passed through to the OCI runtime', 'key=value'),
  attach: list('attach to STDIN, STDOUT or STDERR', 'list', 'a'),
  'blkio-weight': value('block IO relative weight, 10 to 1000, or 0 to disable', 'uint16'),
  'blkio-weight-device': list('block IO relative device weight'),
  'cap-add': list('add Linux capabilities'),
  'cap-drop': list('drop Linux capabilities'),
  'cgroup-parent': value('optional parent cgroup for the container'),
  cgroupns: value('cgroup namespace to use (host|private)'),
  cidfile: value('write the container ID to the file'),
  'cpu-count': laterValue('CPU count (Windows only)', 'int'),
  'cpu-percent': laterValue('CPU percent (Windows only)', 'int'),
  'cpu-period': value('limit CPU CFS period', 'int'),
  'cpu-quota': value('limit CPU CFS quota', 'int'),
  'cpu-rt-period': value('limit CPU real-time period in microseconds', 'int'),
  'cpu-rt-runtime': value('limit CPU real-time runtime in microseconds', 'int'),
  'cpu-shares': value('CPU shares (relative weight)', 'int', 'c'),
  cpus: value('number of CPUs', 'decimal'),
  'cpuset-cpus': value('CPUs in which to allow execution (0-3, 0,1)'),
  'cpuset-mems': value('MEMs in which to allow execution (0-3, 0,1)'),
  device: list('add a host device to the container (/host[:/container][:rwm])'),
  'device-cgroup-rule': list('add a rule to the cgroup allowed devices list'),
  'device-read-bps': list('limit read rate (bytes per second) from a device'),
  'device-read-iops': list('limit read rate (IO per second) from a device'),
  'device-write-bps': list('limit write rate (bytes per second) to a device'),
  'device-write-iops': list('limit write rate (IO per second) to a device'),
  'disable-content-trust': Flags.boolean({ description: 'skip image verification (always true: berth does not verify signatures)', default: true, allowNo: false }),
  dns: list('set custom DNS servers'),
  'dns-option': list('set DNS options'),
  'dns-search': list('set custom DNS search domains'),
  domainname: value('container NIS domain name'),
  entrypoint: value("overwrite the image's default ENTRYPOINT ('' clears it)"),
  env: list('set environment variables (KEY=VALUE, or KEY to take its value from here)', 'list', 'e'),
  'env-file': list('read in a file of environment variables'),
  expose: list('expose a port or a range of ports'),
  gpus: laterValue("GPU devices to add to the container ('all' to pass all GPUs)", 'gpu-request'),
  'group-add': list('add additional groups to join'),
  'health-cmd': value('command to run to check health'),
  'health-interval': value('time between running the check (ms|s|m|h)', 'duration'),
  'health-retries': value('consecutive failures needed to report unhealthy', 'int'),
  'health-start-interval': value('time between running the check during the start period (ms|s|m|h)', 'duration'),
  'health-start-period': value('start period for the container to initialize before counting retries (ms|s|m|h)', 'duration'),
  'health-timeout': value('maximum time to allow one check to run (ms|s|m|h)', 'duration'),
  hostname: value('container host name', 'string', 'h'),
  init: toggle('run an init inside the container that forwards signals and reaps processes'),
  interactive: toggle('keep STDIN open even if not attached', 'i'),
  'io-maxbandwidth': laterValue('maximum IO bandwidth limit for the system drive (Windows only)', 'bytes'),
  'io-maxiops': laterValue('maximum IOps limit for the system drive (Windows only)', 'uint'),
  ip: value('IPv4 address on a user network (e.g., 10.214.0.10)'),
  ip6: laterValue('IPv6 address (e.g., 2001:db8::33)'),
  ipc: value('IPC mode to use (private, shareable, none, host, container:<name|id>)'),
  isolation: value('container isolation technology (default)'),
  'kernel-memory': laterValue('kernel memory limit', 'bytes'),
  label: list('set metadata on a container (key=value)', 'list', 'l'),
  'label-file': list('read in a line delimited file of labels'),
  link: laterList('add link to another container'),
  'link-local-ip': laterList('container IPv4/IPv6 link-local addresses'),
  'log-driver': value('logging driver for the container (json-file or none)'),
  'log-opt': list('log driver options (max-size, max-file)'),
  'mac-address': value('container MAC address (e.g., 92:d0:c6:0a:29:33)'),
  memory: value('memory limit', 'bytes', 'm'),
  'memory-reservation': value('memory soft limit', 'bytes'),
  'memory-swap': value("swap limit equal to memory plus swap: '-1' to enable unlimited swap", 'bytes'),
  'memory-swappiness': value('tune container memory swappiness (0 to 100)', 'int'),
  mount: list('attach a filesystem mount to the container (type=bind|volume|tmpfs,source=…,target=…)', 'mount'),
  name: value('assign a name to the container'),
  network: Flags.string({ description: 'connect a container to a network: bridge (the default), a user network, host or none', helpValue: 'network', aliases: ['net'] }),
  'network-alias': Flags.string({ description: 'add network-scoped alias for the container', helpValue: 'list', multiple: true, multipleNonGreedy: true, aliases: ['net-alias'] }),
  'no-healthcheck': toggle('disable any container-specified HEALTHCHECK'),
  'oom-kill-disable': toggle('disable OOM Killer'),
  'oom-score-adj': value("tune host's OOM preferences (-1000 to 1000)", 'int'),
  pid: value('PID namespace to use (host, container:<name|id>)'),
  'pids-limit': value('tune container pids limit (set -1 for unlimited)', 'int'),
  platform: value('set platform if server is multi-platform capable'),
  privileged: toggle('give extended privileges to this container'),
  publish: list("publish a container's port(s) to the host", 'list', 'p'),
  'publish-all': toggle('publish all exposed ports to random ports', 'P'),
  pull: value('pull image before creating ("always", "missing", "never")', 'string'),
  quiet: toggle('suppress the pull output', 'q'),
  'read-only': toggle("mount the container's root filesystem as read only"),
  restart: value('restart policy to apply when a container exits (no, always, unless-stopped, on-failure[:N])'),
  rm: toggle('automatically remove the container when it exits'),
  runtime: value('runtime to use for this container (io.containerd.runc.v2, or the path of a runc-compatible binary)'),
  'security-opt': list('security options (seccomp=unconfined|FILE, no-new-privileges)'),
  'shm-size': value('size of /dev/shm', 'bytes'),
  'stop-signal': value('signal to stop the container'),
  'stop-timeout': value('timeout (in seconds) to stop a container', 'int'),
  'storage-opt': laterList('storage driver options for the container'),
  sysctl: list('sysctl options', 'map'),
  tmpfs: list('mount a tmpfs directory (/path[:options])'),
  tty: toggle('allocate a pseudo-TTY', 't'),
  ulimit: list('ulimit options (name=soft[:hard])', 'ulimit'),
  'use-api-socket': laterToggle('bind mount Docker API socket and required auth'),
  user: value('username or UID (format: <name|uid>[:<group|gid>])', 'string', 'u'),
  userns: value('user namespace to use (host)'),
  uts: value('UTS namespace to use (host)'),
  volume: list('bind mount a host path or a volume (/host|NAME:/container[:ro|rw][,nocopy|propagation], or /container for an anonymous volume)', 'list', 'v'),
  'volume-driver': laterValue('optional volume driver for the container'),
  'volumes-from': list('mount volumes from the specified container(s) (CONTAINER[:ro|rw])'),
  workdir: value('working directory inside the container', 'string', 'w'),
};

export const CREATE_FLAGS = COMMON_FLAGS;

export const RUN_FLAGS = {
  ...COMMON_FLAGS,
  detach: toggle('run container in background and print container ID', 'd'),
  'detach-keys': value('override the key sequence for detaching a container'),
  pull: value('pull image before running ("always", "missing", "never")', 'string'),
  'sig-proxy': Flags.boolean({ description: 'proxy received signals to the process (default true)', default: true, allowNo: true }),
};

/**
 * The image and the command after it, in order. oclif's `argv` is sorted by each token's first
 * position in the whole command line, so a word that also appears among the flags moves forward
 * (`--name web IMG echo web` would give `web IMG echo`); the raw tokens keep the true order.
 */
export function containerArgv(parsed: { readonly raw: readonly { readonly type: string; readonly input: string }[] }): string[] {
  return parsed.raw.filter((token) => token.type === 'arg').map((token) => token.input);
}
