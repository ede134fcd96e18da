// `exec`: a new process in a running container, its spec derived from the container's own
// process (env, user, capabilities) with the user's changes, as Docker's exec does.

import { randomBytes } from 'node:crypto';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { Container } from '../containerd/types.js';
import type { Mount } from '../containerd/snapshots.js';
import { allCapabilities, hostCapabilityMask, hostLastCap } from '../spec/capabilities.js';
import { replaceOrAppendEnv } from '../spec/image-config.js';
import type { Process, Spec } from '../spec/types.js';
import { resolveUser } from '../spec/user.js';
import { containerName } from './lifecycle.js';
import { getTask, waitForExit, type ExitStatus } from './task.js';
import type { TaskIO } from '../logging/task-io.js';

const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export interface ExecRequest {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly workdir?: string;
  readonly user?: string;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly privileged: boolean;
  readonly detach: boolean;
  /** [rows, columns] of our terminal for a `-t` process */
  readonly consoleSize?: readonly [number, number];
}

export interface StartedExec {
  readonly execId: string;
  readonly io: TaskIO;
  readonly exit: Promise<ExitStatus>;
}

async function execProcess(context: RuntimeContext, container: Container, request: ExecRequest): Promise<Process> {
  if (!container.spec) throw new BerthError('failed-precondition', `container ${container.id} has no OCI spec`);
  const spec = JSON.parse(Buffer.from(container.spec.value).toString('utf8')) as Spec;
  const process: Process = structuredClone(spec.process);
  process.args = [...request.args];
  process.terminal = request.tty;
  process.env = replaceOrAppendEnv(process.env, request.env);
  if (request.tty && !process.env.some((entry) => entry.startsWith('TERM='))) process.env.push('TERM=xterm');
  if (request.workdir) {
    if (!request.workdir.startsWith('/')) throw new BerthError('usage', `the working directory '${request.workdir}' is invalid, it needs to be an absolute path`);
    process.cwd = request.workdir;
  }
  if (request.user) {
    const { mounts } = await context.containerd.unary<{ mounts: Mount[] }>('snapshots', 'Mounts', { snapshotter: container.snapshotter, key: container.snapshot_key });
    const { readRootfsFile } = await import('./rootfs-files.js');
    const [passwd, group] = await Promise.all([readRootfsFile(mounts, '/etc/passwd'), readRootfsFile(mounts, '/etc/group')]);
    const { uid, gid, additionalGids } = resolveUser(request.user, passwd ?? '', group ?? '');
    process.user = additionalGids.length > 0 ? { uid, gid, additionalGids } : { uid, gid };
  }
  if (request.privileged) {
    const caps = allCapabilities(hostLastCap(), hostCapabilityMask());
    process.capabilities = { bounding: caps, effective: [...caps], inheritable: [], permitted: [...caps], ambient: [] };
  }
  if (request.tty && request.consoleSize) process.consoleSize = { height: request.consoleSize[0], width: request.consoleSize[1] };
  else delete process.consoleSize;
  return process;
}

function execStartError(error: unknown): BerthError {
  const message = error instanceof Error ? error.message : String(error);
  const category = error instanceof BerthError ? error.category : 'internal';
  let exitCode = 126;
  if (/executable file not found|no such file or directory/.test(message)) exitCode = 127;
  return new BerthError(category, `OCI runtime exec failed: ${message}`, { cause: error, exitCode });
}

export async function startExec(context: RuntimeContext, container: Container, request: ExecRequest): Promise<StartedExec> {
  const task = await getTask(context, container.id);
  if (!task || task.status !== 'RUNNING') {
    throw new BerthError('failed-precondition', task?.status === 'PAUSED' ? `container ${containerName(container)} is paused, unpause the container before exec` : `container ${container.id} is not running`);
  }
  const process = await execProcess(context, container, request);
  const execId = `exec-${randomBytes(12).toString('hex')}`;
  const { prepareExecIO } = await import('../logging/task-io.js');
  const io = await prepareExecIO({
    config: context.config,
    id: container.id,
    execId,
    tty: request.tty,
    openStdin: request.openStdin && !request.detach,
    attach: !request.detach,
  });
  const { containerd } = context;
  try {
    await containerd.unary('tasks', 'Exec', {
      container_id: container.id,
      exec_id: execId,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      terminal: request.tty,
      spec: { type_url: PROCESS_TYPE_URL, value: Buffer.from(JSON.stringify(process)) },
    });
    const exit = waitForExit(context, container.id, execId);
    exit.catch(() => undefined);
    try {
      await containerd.unary('tasks', 'Start', { container_id: container.id, exec_id: execId });
    } catch (error) {
      throw execStartError(error);
    }
    return { execId, io, exit };
  } catch (error) {
    await containerd.unary('tasks', 'DeleteProcess', { container_id: container.id, exec_id: execId }).catch(() => undefined);
    await io.abort().catch(() => undefined);
    throw error;
  }
}

/** Frees the exec's process entry in the shim once its exit is known. */
export async function deleteExec(context: RuntimeContext, containerId: string, execId: string): Promise<void> {
  await context.containerd.unary('tasks', 'DeleteProcess', { container_id: containerId, exec_id: execId }).catch(() => undefined);
}
