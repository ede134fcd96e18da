// The private world every e2e test runs in: a containerd of its own, two local
// registries (open and htpasswd-protected) and fixture images pushed to them, all
// under one temp dir that stop() removes again.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'smol-toml';
import { buildFixtures, type FixtureInfo, type FixtureName } from './fixtures.js';

export type { FixtureInfo, FixtureName } from './fixtures.js';

export interface WorldInfo {
  tmp: string;
  /** containerd's gRPC socket. */
  address: string;
  containerdLog: string;
  /** Plain HTTP, no auth. */
  registry: { host: string };
  /** Plain HTTP with Basic auth; holds `fixtures/single:latest` only. */
  authRegistry: { host: string; username: string; password: string };
  /** HTTPS with a certificate from a CA of the world's own (`caCert`), serving the open registry's storage. */
  tlsRegistry: { host: string; caCert: string };
  /** berth's certs.d (hosts_dir in berth.toml); empty until a test puts a CA in it */
  hostsDir: string;
  fixtures: Record<FixtureName, FixtureInfo>;
  /** berth's data root; not created, berth makes it. */
  dataRoot: string;
  cniConfDir: string;
  cniPath: string;
  /** An empty directory for DOCKER_CONFIG. */
  dockerConfig: string;
  /** A berth.toml pointing berth at dataRoot, cniPath and cniConfDir. */
  berthToml: string;
}

export interface World extends WorldInfo {
  /** Kills every task, stops the daemons, unmounts and removes `tmp`. Safe to call more than once. */
  stop(): Promise<void>;
}

const CNI_PATH = '/usr/lib/cni';
/** Where buildFixtures pushes the `pause` fixture; CRI pulls it (plain HTTP: 127.0.0.1) on the first RunPodSandbox. */
const PAUSE_REPOSITORY = 'fixtures/pause:latest';
const START_TIMEOUT_MS = 20_000;

export async function startWorld(): Promise<World> {
  // Short on purpose: unix socket paths must stay under 108 bytes.
  const tmp = await mkdtemp('/tmp/berth-world-');
  const services: Services = { registries: [] };
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= teardown(tmp, services));
  try {
    const credentials = { username: 'berth', password: randomBytes(12).toString('hex') };
    const tls = await makeCertificates(join(tmp, 'tls'));
    // Chosen before containerd starts: its CRI plugin names the pause fixture there as the sandbox image.
    const openHost = `127.0.0.1:${await freePort()}`;
    const starting = [
      startContainerd(tmp, `${openHost}/${PAUSE_REPOSITORY}`, services),
      startRegistry(tmp, 'open', { host: openHost }, services),
      startRegistry(tmp, 'auth', { credentials }, services),
      startRegistry(tmp, 'tls', { tls, storage: join(tmp, 'registry', 'open', 'storage') }, services),
    ] as const;
    // If one fails, the others must still be done spawning before the teardown looks for them.
    await Promise.allSettled(starting);
    const [containerd, registryHost, authRegistryHost, tlsRegistryHost] = await Promise.all(starting);
    const registry = { host: registryHost };
    const authRegistry = { host: authRegistryHost, ...credentials };
    const fixtures = await buildFixtures(join(tmp, 'fixtures'), registry, authRegistry);
    const info: WorldInfo = {
      tmp,
      address: containerd.address,
      containerdLog: containerd.log,
      registry,
      authRegistry,
      tlsRegistry: { host: tlsRegistryHost, caCert: tls.caCert },
      hostsDir: join(tmp, 'certs.d'),
      fixtures,
      dataRoot: join(tmp, 'berth-data'),
      cniConfDir: join(tmp, 'cni', 'net.d'),
      cniPath: CNI_PATH,
      dockerConfig: join(tmp, 'docker-config'),
      berthToml: join(tmp, 'berth.toml'),
    };
    await mkdir(info.cniConfDir, { recursive: true });
    await mkdir(info.dockerConfig);
    await mkdir(info.hostsDir);
    await writeFile(
      info.berthToml,
      stringify({ data_root: info.dataRoot, cni_path: info.cniPath, cni_netconfpath: info.cniConfDir, hosts_dir: [info.hostsDir] }) + '\n',
    );
    return { ...info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Services {
  containerd?: { service: Service; address: string };
  registries: Service[];
}

async function startContainerd(tmp: string, sandboxImage: string, services: Services): Promise<{ address: string; log: string }> {
  const address = join(tmp, 'containerd.sock');
  const log = join(tmp, 'containerd.log');
  const config = join(tmp, 'containerd.toml');
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  await writeFile(
    config,
    [
      'version = 2',
      `root = ${JSON.stringify(join(tmp, 'root'))}`,
      `state = ${JSON.stringify(join(tmp, 'state'))}`,
      '',
      '[grpc]',
      `  address = ${JSON.stringify(address)}`,
      '[ttrpc]',
      `  address = ${JSON.stringify(`${address}.ttrpc`)}`,
      '',
      // Otherwise the opt plugin installs into /opt/containerd.
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = ${JSON.stringify(join(tmp, 'opt'))}`,
      // containerd 1.6's restart monitor is an internal plugin (its default interval is 10 s).
      '[plugins."io.containerd.internal.v1.restart"]',
      '  interval = "1s"',
      `[${cri}]`,
      // Root here lacks CAP_SYS_RESOURCE: lowering a sandbox's oom_score_adj would fail.
      '  restrict_oom_score_adj = true',
      `  sandbox_image = ${JSON.stringify(sandboxImage)}`,
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      // Keeps CRI's CNI watcher away from /etc/cni and /opt/cni.
      `[${cri}.cni]`,
      `  bin_dir = ${JSON.stringify(CNI_PATH)}`,
      `  conf_dir = ${JSON.stringify(join(tmp, 'cri', 'net.d'))}`,
      '',
    ].join('\n'),
  );
  const service = new Service('containerd', 'containerd', ['--config', config], log);
  services.containerd = { service, address };
  await waitUntil(service, async () => (await ctr(address, ['version'])).code === 0);
  return { address, log };
}

interface Credentials {
  username: string;
  password: string;
}

interface RegistryOptions {
  /** Basic auth with these credentials */
  credentials?: Credentials;
  /** serve HTTPS with this certificate */
  tls?: { cert: string; key: string };
  /** another registry's storage, to serve the same repositories */
  storage?: string;
  /** host:port to listen on; a free port when not given */
  host?: string;
}

/** A CA of the world's own and a certificate it signed for 127.0.0.1, made with openssl. */
async function makeCertificates(dir: string): Promise<{ caCert: string; cert: string; key: string }> {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const steps = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth test CA', '-keyout', file('ca.key'), '-out', file('ca.crt')],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')],
  ];
  for (const args of steps) {
    const result = await runProcess('openssl', args);
    if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  }
  await writeFile(file('san.ext'), 'subjectAltName = IP:127.0.0.1\n');
  const signed = await runProcess('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.crt')]);
  if (signed.code !== 0) throw new Error(`openssl x509 failed: ${signed.stderr}`);
  return { caCert: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

/** Starts a registry named `name`; resolves to its host:port. */
async function startRegistry(tmp: string, name: string, options: RegistryOptions, services: Services): Promise<string> {
  const { credentials, tls } = options;
  const dir = join(tmp, 'registry', name);
  await mkdir(dir, { recursive: true });
  const host = options.host ?? `127.0.0.1:${await freePort()}`;
  // No notifications, proxy or redis sections: the registry makes no outbound connections.
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${options.storage ?? join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    // A fixed secret silences the "no HTTP secret" warning; it only signs upload state.
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (tls) lines.push('  tls:', `    certificate: ${tls.cert}`, `    key: ${tls.key}`);
  if (credentials) {
    // The registry accepts bcrypt entries only.
    const htpasswd = await runProcess('htpasswd', ['-Bbn', credentials.username, credentials.password]);
    if (htpasswd.code !== 0) throw new Error(`htpasswd failed: ${htpasswd.stderr}`);
    await writeFile(join(dir, 'htpasswd'), htpasswd.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');
  // REGISTRY_* variables override the config file, so none may leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
  const log = join(dir, 'registry.log');
  const service = new Service(`registry (${name})`, 'docker-registry', ['serve', config], log, env);
  services.registries.push(service);
  const ready = credentials ? 401 : 200;
  const answers = tls
    ? async () => (await httpsStatus(`https://${host}/v2/`, await readFile(join(tmp, 'tls', 'ca.crt')))) === ready
    : async () => (await fetch(`http://${host}/v2/`).catch(() => undefined))?.status === ready;
  await waitUntil(service, answers);
  return host;
}

function httpsStatus(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

async function waitUntil(service: Service, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready())) {
    if (service.exited) {
      throw new Error(`${service.name} exited during startup (${service.exited})\n${await service.logTail()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${service.name} not ready after ${START_TIMEOUT_MS / 1000} s\n${await service.logTail()}`);
    }
    await sleep(50);
  }
}

/** A daemon with its output in a log file. */
class Service {
  /** How it ended, once it has. */
  exited: string | undefined;
  private readonly child: ChildProcess;
  private readonly done: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly log: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const fd = openSync(log, 'a');
    // Its own process group, so a Ctrl-C reaches the test runner, which stops the daemons in order.
    this.child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: true, env });
    closeSync(fd);
    this.done = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.exited = err.message;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exited = signal ? `killed by ${signal}` : `exit code ${code}`;
        resolve();
      });
    });
  }

  async stop(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    if (await Promise.race([this.done.then(() => true), sleep(graceMs, false)])) return;
    this.child.kill('SIGKILL');
    await this.done;
  }

  async logTail(lines = 30): Promise<string> {
    const text = await readFile(this.log, 'utf8').catch(() => '');
    return `--- last lines of ${this.log} ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }
}

/** Every step runs even if an earlier one failed, so as little as possible is left behind. */
async function teardown(tmp: string, services: Services): Promise<void> {
  const { containerd } = services;
  const errors: unknown[] = [];
  const step = (work: () => Promise<unknown>) => work().catch((err: unknown) => errors.push(err));
  if (containerd) {
    const restarted = await restartedContainerd(tmp);
    if (!containerd.service.exited || restarted) await step(() => removeTasks(containerd.address));
    await step(() => containerd.service.stop(10_000));
    if (restarted) await step(() => stopRestartedContainerd(restarted, 10_000));
    await step(() => killLeftovers(tmp, containerd.address));
  }
  await step(() => Promise.all(services.registries.map((service) => service.stop(5_000))));
  await step(() => unmountUnder(tmp));
  await step(() => rm(tmp, { recursive: true, force: true }));
  if (errors.length > 0) throw new AggregateError(errors, `stopping the test world in ${tmp} failed`);
}

/** ctr against the private containerd; fails fast instead of ctr's 10 s dial timeout. */
function ctr(address: string, args: string[]): Promise<ProcessResult> {
  return runProcess('ctr', ['--address', address, '--connect-timeout', '1s', ...args], { timeoutMs: 15_000 });
}

/** Kills and deletes every task in every namespace, so the shims exit on their own. */
async function removeTasks(address: string): Promise<void> {
  const namespaces = (await ctr(address, ['namespaces', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  for (const ns of namespaces) {
    // `tasks ls` prints TASK, PID and STATUS columns under a header.
    const tasks = (await ctr(address, ['-n', ns, 'tasks', 'ls'])).stdout
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter(([id]) => id);
    for (const [id, , status] of tasks) {
      // A frozen process cannot die until it is thawed.
      if (status === 'PAUSED') await ctr(address, ['-n', ns, 'tasks', 'resume', id]);
      // --all also reaches processes outside the container's pid namespace (--pid=host).
      await ctr(address, ['-n', ns, 'tasks', 'kill', '--all', '--signal', 'SIGKILL', id]);
      await ctr(address, ['-n', ns, 'tasks', 'rm', '--force', id]);
    }
  }
}

/**
 * If containerd died before its tasks were removed, their shims and containers
 * outlive it. The containers' init pids are in their bundle directories; the
 * shims name this containerd's address on their command line.
 */
async function killLeftovers(tmp: string, address: string): Promise<void> {
  const pids: number[] = [];
  const tasksDir = join(tmp, 'state', 'io.containerd.runtime.v2.task');
  for (const ns of await readdir(tasksDir).catch(() => [])) {
    for (const id of await readdir(join(tasksDir, ns)).catch(() => [])) {
      pids.push(Number(await readFile(join(tasksDir, ns, id, 'init.pid'), 'utf8').catch(() => '')));
    }
  }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0].includes('containerd-shim') && args[args.indexOf('-address') + 1] === address) pids.push(Number(entry));
  }
  for (const pid of pids.filter((pid) => pid > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Lazily unmounts everything mounted under `dir` (snapshots, rootfs, netns), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mountPoints = mountinfo
    .split('\n')
    .filter(Boolean)
    // The 5th field is the mount point.
    .map((line) => unescapeOctal(line.split(' ')[4]))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.split('/').length - a.split('/').length);
  for (const point of mountPoints) await runProcess('umount', ['-l', point]);
}

/** The kernel writes space, tab, newline and backslash in mount paths as `\ooo`. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8)));
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Kill the process and reject after this long. */
  timeoutMs?: number;
}

/**
 * Runs a command to completion. A non-zero exit resolves (the caller judges the
 * code); a process killed by a signal gets 128 + its number, as in a shell.
 */
export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const { env = process.env, input, timeoutMs = 60_000 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A command that exits without reading its input must not fail the run with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`\`${[command, ...args].join(' ')}\` timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (signal ? constants.signals[signal] : 0),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// containerd killed and started again (restart policy tests). The tests run in another process
// than the world's Service objects, so the replacement is found again by a pid file.
// ---------------------------------------------------------------------------------------------

const RESTARTED_PID_FILE = 'containerd-restarted.pid';

/** containerd daemons running on this world's config: the world's own or its replacement. */
async function containerdPids(tmp: string): Promise<number[]> {
  const config = join(tmp, 'containerd.toml');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0].split('/').pop() === 'containerd' && args[args.indexOf('--config') + 1] === config) pids.push(Number(entry));
  }
  return pids;
}

async function pollFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
}

/**
 * Kills the world's containerd with SIGKILL (shims, containers and their loggers live on), runs
 * `whileDown`, and starts containerd again on the same config and socket; resolves once it
 * answers. The world's teardown stops the replacement.
 */
export async function restartContainerd(world: Pick<WorldInfo, 'tmp' | 'address' | 'containerdLog'>, whileDown?: () => Promise<unknown>): Promise<void> {
  for (const pid of await containerdPids(world.tmp)) process.kill(pid, 'SIGKILL');
  await pollFor('the old containerd gone', async () => (await containerdPids(world.tmp)).length === 0, 10_000);
  try {
    await whileDown?.();
  } finally {
    await startContainerdAgain(world);
  }
}

async function startContainerdAgain(world: Pick<WorldInfo, 'tmp' | 'address' | 'containerdLog'>): Promise<void> {
  const fd = openSync(world.containerdLog, 'a');
  const child = spawn('containerd', ['--config', join(world.tmp, 'containerd.toml')], { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.unref();
  await writeFile(join(world.tmp, RESTARTED_PID_FILE), `${child.pid}\n`);
  await pollFor('containerd answering again', async () => (await ctr(world.address, ['version'])).code === 0, START_TIMEOUT_MS);
}

/** The replacement containerd's pid while it runs. */
async function restartedContainerd(tmp: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(join(tmp, RESTARTED_PID_FILE), 'utf8').catch(() => ''), 10);
  return pid > 0 && (await containerdPids(tmp)).includes(pid) ? pid : undefined;
}

async function stopRestartedContainerd(pid: number, graceMs: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  await pollFor('containerd stopping', async () => !alive(), graceMs).catch(() => process.kill(pid, 'SIGKILL'));
}
