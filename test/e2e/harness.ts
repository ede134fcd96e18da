// What e2e tests use to reach the private test world started by test/run.ts.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type ProcessResult, type WorldInfo } from '../world/world.js';

export type { FixtureInfo, FixtureName, WorldInfo } from '../world/world.js';
export type Result = ProcessResult;

const BERTH_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

let cached: WorldInfo | undefined;

/** The running world, as described by the JSON file that `BERTH_TEST_WORLD` names. */
export function world(): WorldInfo {
  if (cached) return cached;
  const file = process.env.BERTH_TEST_WORLD;
  if (!file) {
    throw new Error(
      'BERTH_TEST_WORLD is not set: e2e tests run through `npm test`, which starts the private test world',
    );
  }
  cached = JSON.parse(readFileSync(file, 'utf8')) as WorldInfo;
  return cached;
}

export interface BerthOptions {
  /** Added to the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Default 60 s. */
  timeoutMs?: number;
}

/** Runs the berth CLI against the private containerd, with berth.toml and DOCKER_CONFIG from the world. */
export function berth(args: string[], options: BerthOptions = {}): Promise<Result> {
  const w = world();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERD_ADDRESS: w.address,
    BERTH_TOML: w.berthToml,
    DOCKER_CONFIG: w.dockerConfig,
    NO_COLOR: '1',
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const { input, timeoutMs } = options;
  return runProcess(process.execPath, ['--', BERTH_BIN, ...args], { env, input, timeoutMs });
}

/** Runs `ctr` against the private containerd, in `namespace` if given. */
export function ctr(args: string[], namespace?: string): Promise<Result> {
  const ns = namespace === undefined ? [] : ['-n', namespace];
  return runProcess('ctr', ['--address', world().address, ...ns, ...args]);
}

/** `prefix-` and 6 hex digits: valid as a container, image or namespace name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Removes what a test left in `namespace` (tasks, containers with their snapshots and berth's
 * per-container files, images with their content, leases), then the namespace.
 */
export async function removeNamespace(namespace: string): Promise<void> {
  const names = async (args: string[]) => (await ctr(args, namespace)).stdout.split('\n').filter(Boolean);
  // Containers on a network hold host-wide state (netns, address, rules): berth's rm releases it.
  const networked = (await names(['containers', 'ls', '-q'])).filter((id) => existsSync(`/run/berth/attachments/${id}.json`));
  if (networked.length > 0) await berth(['-n', namespace, 'rm', '-f', ...networked]);
  // A container with a task cannot be deleted; -f kills the task first.
  for (const id of await names(['tasks', 'ls', '-q'])) await ctr(['tasks', 'rm', '-f', id], namespace);
  for (const id of await names(['containers', 'ls', '-q'])) await ctr(['containers', 'rm', id], namespace);
  await removeBerthState(namespace);
  for (const name of await names(['images', 'ls', '-q'])) await ctr(['images', 'rm', '--sync', name], namespace);
  for (const lease of await names(['leases', 'ls', '-q'])) await ctr(['leases', 'rm', '--sync', lease], namespace);
  await ctr(['namespaces', 'rm', namespace]);
}

/** berth's per-container directories (logs, hosts files) of `namespace`, under every address key of the data root. */
async function removeBerthState(namespace: string): Promise<void> {
  const { dataRoot } = world();
  for (const key of await readdir(dataRoot).catch(() => [])) {
    await rm(join(dataRoot, key, 'containers', namespace), { recursive: true, force: true });
  }
}

/** Runs `work` in a namespace of its own, removed afterwards whatever happens. */
export async function inFreshNamespace(prefix: string, work: (namespace: string) => Promise<void>): Promise<void> {
  const namespace = uniqueName(prefix);
  try {
    await work(namespace);
  } finally {
    await removeNamespace(namespace);
  }
}

/** `ctr run --rm` of an image, with runc's state and the FIFOs inside the world. */
export function ctrRun(namespace: string, ref: string, ...command: string[]): Promise<Result> {
  return ctr(['run', '--rm', '--runc-root', `${world().tmp}/runc`, '--fifo-dir', `${world().tmp}/fifo`, ref, uniqueName('c'), ...command], namespace);
}
