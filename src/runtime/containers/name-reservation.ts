// Container names are unique per namespace, also between berth processes racing on the same
// name. containerd has no name index, but its lease IDs are unique and created atomically:
// a name is held by a lease whose ID is derived from the name. The lease carries no resources
// and no expiry; `rm` and a failed create release it.

import { createHash } from 'node:crypto';
import { BerthError } from '../../errors.js';
import type { ContainerdClient } from '../containerd/client.js';
import { timestampToDate, type Timestamp } from '../containerd/types.js';
import { LABELS } from './labels.js';

const HOLDER_LABEL = 'berth/name-holder';
const NAME_LABEL = 'berth/name-of';
/** A lease whose container never appeared is a leftover of a killed berth after this long. */
const ABANDONED_AFTER_MS = 60_000;

interface Lease {
  id: string;
  created_at: Timestamp | null;
  labels: Record<string, string>;
}

/**
 * The lease holding `name`; a container's creation also makes its snapshot under it. Lease IDs
 * follow containerd's identifier rule, which Docker names (`a__b`, `x-`) may break.
 */
export function nameLeaseId(name: string): string {
  return `berth-name.${createHash('sha256').update(name).digest('hex').slice(0, 48)}`;
}

export function nameInUse(name: string, holder: string): BerthError {
  return new BerthError(
    'already-exists',
    `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
    { exitCode: 125 },
  );
}

async function containerExists(client: ContainerdClient, id: string): Promise<boolean> {
  const { containers } = await client.unary<{ containers: unknown[] }>('containers', 'List', { filters: [`id==${id}`] });
  return containers.length > 0;
}

/** Takes `name` for container `id`, or fails with Docker's conflict error (exit 125). */
export async function reserveName(client: ContainerdClient, name: string, id: string): Promise<void> {
  const lease = nameLeaseId(name);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await client.unary('leases', 'Create', { id: lease, labels: { [HOLDER_LABEL]: id, [NAME_LABEL]: name } });
      return;
    } catch (error) {
      if (!(error instanceof BerthError) || error.category !== 'already-exists') throw error;
    }
    const { leases } = await client.unary<{ leases: Lease[] }>('leases', 'List', { filters: [`id==${lease}`] });
    const held = leases[0];
    if (!held) continue; // released meanwhile
    const holder = held.labels[HOLDER_LABEL] ?? '';
    if (holder === id) return;
    const age = Date.now() - (timestampToDate(held.created_at)?.getTime() ?? Date.now());
    if (holder && ((await containerExists(client, holder)) || age < ABANDONED_AFTER_MS)) throw nameInUse(name, holder);
    await client.unary('leases', 'Delete', { id: lease, sync: false }).catch(() => undefined);
  }
  throw nameInUse(name, '');
}

/** Gives the name back, if `id` still holds it (a rename or a new owner may have taken it). */
export async function releaseName(client: ContainerdClient, name: string, id: string): Promise<void> {
  await (await nameRelease(client, name, id))();
}

/**
 * Looks up who holds `name` now, and returns the step that gives it back if that is `id`: the
 * lookup can go beside other work (the removal of the container's record) that must come first.
 */
export async function nameRelease(client: ContainerdClient, name: string, id: string): Promise<() => Promise<void>> {
  const lease = nameLeaseId(name);
  const { leases } = await client.unary<{ leases: Lease[] }>('leases', 'List', { filters: [`id==${lease}`] });
  if (leases[0] && leases[0].labels[HOLDER_LABEL] !== id) return async () => undefined;
  return async () => {
    await client.unary('leases', 'Delete', { id: lease, sync: false }).catch((error: unknown) => {
      if (!(error instanceof BerthError && error.category === 'not-found')) throw error;
    });
  };
}

/**
 * A second line of defence after Containers.Create: if another container carries the same name
 * (a berth that took over a lease it believed abandoned), the one with the larger ID gives way.
 */
export async function confirmNameUnique(client: ContainerdClient, name: string, id: string): Promise<void> {
  const { containers } = await client.unary<{ containers: { id: string }[] }>('containers', 'List', {
    filters: [`labels."${LABELS.name}"==${JSON.stringify(name)}`],
  });
  const others = containers.map((container) => container.id).filter((other) => other !== id).sort();
  if (others.length > 0 && others[0] < id) throw nameInUse(name, others[0]);
}
