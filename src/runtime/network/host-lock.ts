// One lock for all of berth's network work on this host, whatever the namespace or containerd:
// CNI plugins racing on one bridge fail or hand out one address twice (nerdctl #2908, #3355),
// and host ports are a host-wide resource.
//
// Node has no flock(2), so flock(1) holds it: it takes the lock, says so, then waits on its
// stdin. Closing that pipe releases the lock, and so does berth dying, since the kernel closes
// the pipe then too: a killed berth never leaves the host locked.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { childProcess } from '../../lazy-node.js';

/** Host-wide network state: gone at reboot together with the netns, addresses and rules it describes. */
export const HOST_NETWORK_STATE = '/run/berth';

const LOCK_FILE = join(HOST_NETWORK_STATE, 'network.lock');

export async function withHostNetworkLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(HOST_NETWORK_STATE, { recursive: true, mode: 0o700 });
  const holder = childProcess().spawn('flock', ['--exclusive', LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      let stderr = '';
      holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      holder.stdout.once('data', () => resolvePromise());
      holder.once('error', (error) => reject(new BerthError('failed-precondition', `cannot take the network lock with flock(1): ${error.message}`)));
      holder.once('close', (code) => reject(new BerthError('internal', `cannot take the network lock ${LOCK_FILE}: ${stderr.trim() || `flock exited ${code}`}`)));
    });
    return await work();
  } finally {
    holder.stdin.end();
    holder.stdout.destroy();
  }
}
