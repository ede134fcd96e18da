// A container's network namespace lives as long as the container, not its task: made at create,
// named in the spec by path, removed at rm. A task started again (restart policy, `start`,
// containerd's restart monitor after containerd itself restarted) joins the same namespace and
// finds its address, routes and port mappings still there, with no berth process involved.
// `ip netns` keeps them where admins look (`ip netns ls`), as bind mounts under /run/netns.

import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';
import { childProcess } from '../../lazy-node.js';

const run = (command: string, args: readonly string[]) => promisify(childProcess().execFile)(command, args);

export const NETNS_DIRECTORY = '/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId}`;
}

export function netnsPath(containerId: string): string {
  return `${NETNS_DIRECTORY}/${netnsName(containerId)}`;
}

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    if (code === 'ENOENT') throw new BerthError('failed-precondition', 'ip(8) is missing: install Debian\'s iproute2');
    throw new BerthError('internal', `ip ${args.join(' ')}: ${(stderr ?? '').trim() || String(error)}`);
  }
}

/**
 * Makes the namespace; `loopback` settles once its lo is up (`ip netns add` leaves it down, and
 * Docker's containers have it up), which may go on beside the CNI plugins' work in it.
 */
export async function createNetns(containerId: string): Promise<{ path: string; loopback: Promise<void> }> {
  await ip(['netns', 'add', netnsName(containerId)]);
  const loopback = ip(['-n', netnsName(containerId), 'link', 'set', 'lo', 'up']);
  loopback.catch(() => undefined);
  return { path: netnsPath(containerId), loopback };
}

/** Removes the namespace; one already gone is not an error. */
export async function deleteNetns(containerId: string): Promise<void> {
  try {
    await ip(['netns', 'delete', netnsName(containerId)]);
  } catch (error) {
    if (/No such file|does not exist|not found/i.test((error as Error).message)) return;
    throw error;
  }
}
