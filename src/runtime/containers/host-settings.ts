// What the daemon settles about a new container before its spec is written: the other
// containers whose namespaces it joins (--pid/--ipc/--network container:<name|id>), the resource
// settings this host's cgroups can honour, and an OOM score berth is allowed to give.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { CreateIntent } from '../intent.js';
import { containerDirectory } from '../paths.js';
import type { IpcJoin } from '../spec/namespaces.js';
import { netnsPath } from '../network/netns.js';
import { LABELS } from './labels.js';

/** `--network container:<id>`: the donor's network namespace, and its hostname and /etc files, shared as Docker shares them. */
export interface NetworkJoin {
  readonly namespace: string;
  readonly hostname: string;
  /** the donor's own directory, which holds its hostname, hosts and resolv.conf */
  readonly etcDirectory: string;
}

export interface SettledHost {
  /** the intent as stored: joined containers by ID, what the kernel cannot do discarded */
  readonly intent: CreateIntent;
  readonly joins: { pid?: string; ipc?: IpcJoin; net?: NetworkJoin };
  /** Docker's warnings for the user, without the `WARNING:` prefix */
  readonly warnings: string[];
}

const CAP_SYS_RESOURCE = 24n;

/** A running container whose namespace is joined; Docker's words when it cannot be. */
async function joinedContainer(context: RuntimeContext, ref: string, kind: 'PID' | 'IPC' | 'network'): Promise<{ id: string; pid: number; intent?: CreateIntent; labels: Record<string, string> }> {
  const { findContainer } = await import('./find.js');
  const { isRunning } = await import('./status.js');
  const { storedIntentOf } = await import('./inspect.js');
  let record;
  try {
    record = await findContainer(context, ref);
  } catch (error) {
    if (error instanceof BerthError) throw new BerthError(error.category, `failed to join ${kind} namespace: ${error.message}`, { cause: error, exitCode: 125 });
    throw error;
  }
  if (!isRunning(record) || !record.task || record.task.pid <= 0) {
    const message = kind === 'network' ? `cannot join network of a non running container: ${record.id}` : `failed to join ${kind} namespace: container ${record.id} is not running`;
    throw new BerthError('failed-precondition', message, { exitCode: 125 });
  }
  return { id: record.id, pid: record.task.pid, intent: storedIntentOf(record), labels: record.container.labels };
}

async function resolveJoins(context: RuntimeContext, intent: CreateIntent): Promise<{ host: CreateIntent['HostConfig']; joins: SettledHost['joins'] }> {
  const host = { ...intent.HostConfig };
  const joins: SettledHost['joins'] = {};
  if (host.PidMode?.startsWith('container:')) {
    const joined = await joinedContainer(context, host.PidMode.slice('container:'.length), 'PID');
    host.PidMode = `container:${joined.id}`;
    joins.pid = `/proc/${joined.pid}/ns/pid`;
  }
  if (host.IpcMode?.startsWith('container:')) {
    const ref = host.IpcMode.slice('container:'.length);
    const joined = await joinedContainer(context, ref, 'IPC');
    // Docker shares only what the donor offered; its default, private, offers nothing
    if (joined.intent?.HostConfig?.IpcMode !== 'shareable') {
      throw new BerthError('invalid-argument', `failed to join IPC namespace: container ${ref}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`, { exitCode: 125 });
    }
    host.IpcMode = `container:${joined.id}`;
    joins.ipc = { namespace: `/proc/${joined.pid}/ns/ipc`, shm: shareableShm(context, joined.id) };
  }
  if (host.NetworkMode?.startsWith('container:')) {
    const joined = await joinedContainer(context, host.NetworkMode.slice('container:'.length), 'network');
    host.NetworkMode = `container:${joined.id}`;
    const donorMode = joined.intent?.HostConfig?.NetworkMode ?? 'none';
    // A donor on a network has a namespace file of berth's, which outlives its task; a donor with
    // `none` has only its process's; a donor on the host's has the host's (init's).
    const namespace = donorMode === 'host' ? '/proc/1/ns/net' : existsSync(netnsPath(joined.id)) ? netnsPath(joined.id) : `/proc/${joined.pid}/ns/net`;
    joins.net = {
      namespace,
      hostname: joined.labels[LABELS.hostname] ?? joined.id.slice(0, 12),
      etcDirectory: containerDirectory(context.config, context.containerd.namespace, joined.id),
    };
  }
  return { host, joins };
}

/**
 * Where a `--ipc shareable` container's /dev/shm lives on the host, so that another container
 * can mount the same one: a mount in the donor's own mount namespace cannot be bound elsewhere.
 */
export function shareableShm(context: RuntimeContext, id: string): string {
  return `${containerDirectory(context.config, context.containerd.namespace, id)}/shm`;
}

/** berth's own OOM score adjustment; 0 when it cannot be read. */
async function ownOomScoreAdj(): Promise<number> {
  const text = await readFile('/proc/self/oom_score_adj', 'utf8').catch(() => '0');
  const value = Number.parseInt(text.trim(), 10);
  return Number.isNaN(value) ? 0 : value;
}

export async function settleHostSettings(context: RuntimeContext, intent: CreateIntent): Promise<SettledHost> {
  const { checkResources, oomScoreBelowOwn, readCgroupSupport } = await import('../spec/host-resources.js');
  const { host: joinedHost, joins } = await resolveJoins(context, intent);
  const { host, warnings } = checkResources(joinedHost, readCgroupSupport());
  if (host.OomScoreAdj !== undefined) {
    const { hostCapabilityMask } = await import('../spec/capabilities.js');
    const mask = hostCapabilityMask();
    const canLower = mask === undefined || ((mask >> CAP_SYS_RESOURCE) & 1n) === 1n;
    const problem = oomScoreBelowOwn(host.OomScoreAdj, await ownOomScoreAdj(), canLower);
    if (problem) throw new BerthError('invalid-argument', problem, { exitCode: 125 });
  }
  return { intent: { ...intent, HostConfig: host }, joins, warnings };
}
