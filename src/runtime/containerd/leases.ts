// Leases keep what a multi-step operation writes safe from containerd's garbage collector
// until the objects reference each other. berth labels its leases with its pid, so a run
// killed half-way leaves nothing behind: the next one adopts or drops its lease.

import { randomBytes } from 'node:crypto';
import type { ContainerdClient } from './client.js';

const OWNER_LABEL = 'berth/pid';
const EXPIRE_LABEL = 'containerd.io/gc.expire';
const LIFETIME_MS = 24 * 60 * 60 * 1000;

interface Lease {
  id: string;
  labels: Record<string, string>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function createLease(client: ContainerdClient): Promise<string> {
  const id = `berth-${Date.now()}-${randomBytes(3).toString('base64url')}`;
  const labels = { [OWNER_LABEL]: String(process.pid), [EXPIRE_LABEL]: new Date(Date.now() + LIFETIME_MS).toISOString() };
  await client.unary('leases', 'Create', { id, labels });
  return id;
}

export async function deleteLease(client: ContainerdClient, id: string): Promise<void> {
  await client.unary('leases', 'Delete', { id, sync: false });
}

/**
 * Moves whatever a dead berth process's leases protected (half-written ingests, committed
 * blobs and snapshots) into `into`, and deletes those leases: a killed pull resumes instead
 * of leaking.
 */
export async function adoptAbandonedLeases(client: ContainerdClient, into: string): Promise<void> {
  const { leases } = await client.unary<{ leases: Lease[] }>('leases', 'List', { filters: [`labels."${OWNER_LABEL}"`] });
  for (const lease of leases) {
    const pid = Number(lease.labels[OWNER_LABEL]);
    if (lease.id === into || !Number.isInteger(pid) || processAlive(pid)) continue;
    const { resources } = await client.unary<{ resources: { id: string; type: string }[] }>('leases', 'ListResources', { id: lease.id });
    for (const resource of resources) await client.unary('leases', 'AddResource', { id: into, resource });
    await deleteLease(client, lease.id);
  }
}

export async function withLease<T>(client: ContainerdClient, work: (lease: string) => Promise<T>): Promise<T> {
  const lease = await createLease(client);
  try {
    return await work(lease);
  } finally {
    await deleteLease(client, lease);
  }
}
