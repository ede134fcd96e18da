// Docker's `local` volume driver without a daemon: a volume is `<volumes dir>/<name>/_data` plus
// `volume.json` (created time, labels, driver options) next to it, per containerd namespace.
// A volume appears whole or not at all: it is assembled in a hidden directory and renamed into
// place, so two berths creating one name at once both end up with the same single volume.

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { volumesDirectory } from '../paths.js';
import { childProcess } from '../../lazy-node.js';

/** Docker marks the volumes it names itself (`-v /path`, an image's VOLUME) with this label. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export const DEFAULT_DRIVER = 'local';

const METADATA = 'volume.json';
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** the local driver's options: `size` needs quotas berth's data root cannot promise */
const MOUNT_OPTIONS = new Set(['type', 'device', 'o']);
const REQUIRED: Readonly<Record<string, readonly string[]>> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/** Docker's `volume inspect` object. */
export interface Volume {
  readonly CreatedAt: string;
  readonly Driver: string;
  readonly Labels: Record<string, string>;
  readonly Mountpoint: string;
  readonly Name: string;
  readonly Options: Record<string, string>;
  readonly Scope: 'local';
}

export interface CreateVolumeRequest {
  /** empty or absent: a random 64-hex name, labelled anonymous, as Docker names them */
  readonly name?: string;
  readonly driver?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly options?: Readonly<Record<string, string>>;
}

interface Metadata {
  readonly CreatedAt: string;
  readonly Labels: Record<string, string>;
  readonly Options: Record<string, string>;
}

export function volumeRoot(context: RuntimeContext): string {
  return volumesDirectory(context.config, context.containerd.namespace);
}

export function isVolumeName(source: string): boolean {
  return VOLUME_NAME.test(source);
}

/** The local driver's name check, with the daemon's message. */
export function validateVolumeName(name: string): void {
  if (name.length < 2 && /^[a-zA-Z0-9]*$/.test(name)) {
    throw new BerthError('invalid-argument', `create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!VOLUME_NAME.test(name)) {
    throw new BerthError(
      'invalid-argument',
      `create ${name}: ${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** The local driver's option check (`type`, `device`, `o`, each needing its partners). */
export function validateVolumeOptions(options: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(options)) {
    if (key === 'size') throw new BerthError('invalid-argument', 'quota size requested but no quota support');
    if (!MOUNT_OPTIONS.has(key)) throw new BerthError('invalid-argument', `invalid option: ${JSON.stringify(key)}`);
  }
  for (const [key, partners] of Object.entries(REQUIRED)) {
    if (!Object.hasOwn(options, key)) continue;
    for (const partner of partners) {
      if (!Object.hasOwn(options, partner)) throw new BerthError('invalid-argument', `missing required option: ${JSON.stringify(partner)}`);
    }
  }
}

export function checkDriver(driver: string | undefined): void {
  if (driver !== undefined && driver !== '' && driver !== DEFAULT_DRIVER) {
    throw new BerthError('not-implemented', `volume driver ${JSON.stringify(driver)} is not supported: berth has the local driver only`);
  }
}

/** Go's time.RFC3339: seconds, no fraction. */
function createdNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function toVolume(root: string, name: string, metadata: Metadata): Volume {
  return {
    CreatedAt: metadata.CreatedAt,
    Driver: DEFAULT_DRIVER,
    Labels: metadata.Labels,
    Mountpoint: join(root, name, '_data'),
    Name: name,
    Options: metadata.Options,
    Scope: 'local',
  };
}

async function readMetadata(root: string, name: string): Promise<Metadata | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(root, name, METADATA), 'utf8')) as Partial<Metadata>;
    return { CreatedAt: parsed.CreatedAt ?? '', Labels: parsed.Labels ?? {}, Options: parsed.Options ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** A new random name, as Docker's stringid.GenerateRandomID. */
export function randomVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Creates the volume, or returns the one of that name already there (Docker's create is
 * idempotent for the same driver). `created` tells which.
 */
export async function createVolume(context: RuntimeContext, request: CreateVolumeRequest): Promise<{ volume: Volume; created: boolean }> {
  checkDriver(request.driver);
  const anonymous = !request.name;
  const name = request.name || randomVolumeName();
  validateVolumeName(name);
  const options = { ...(request.options ?? {}) };
  validateVolumeOptions(options);
  const root = volumeRoot(context);
  const existing = await readMetadata(root, name);
  if (existing) return { volume: toVolume(root, name, existing), created: false };

  const labels = { ...(request.labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) };
  const metadata: Metadata = { CreatedAt: createdNow(), Labels: labels, Options: options };
  await mkdir(root, { recursive: true, mode: 0o701 });
  const staging = join(root, `.new-${randomBytes(8).toString('hex')}`);
  try {
    await mkdir(join(staging, '_data'), { recursive: true, mode: 0o755 });
    await writeFile(join(staging, METADATA), `${JSON.stringify(metadata)}\n`, { mode: 0o600 });
    try {
      await rename(staging, join(root, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      const winner = await readMetadata(root, name);
      if (!winner) throw new BerthError('already-exists', `create ${name}: a volume of that name is being removed`);
      return { volume: toVolume(root, name, winner), created: false };
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { volume: toVolume(root, name, metadata), created: true };
}

export async function getVolume(context: RuntimeContext, name: string): Promise<Volume> {
  const root = volumeRoot(context);
  const metadata = isVolumeName(name) ? await readMetadata(root, name) : undefined;
  if (!metadata) throw new BerthError('not-found', `get ${name}: no such volume`);
  return toVolume(root, name, metadata);
}

/** Every volume of the namespace, by name. */
export async function listVolumes(context: RuntimeContext): Promise<Volume[]> {
  const root = volumeRoot(context);
  let names: string[];
  try {
    names = (await readdir(root)).filter(isVolumeName).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const volumes = await Promise.all(names.map(async (name) => {
    const metadata = await readMetadata(root, name);
    return metadata ? toVolume(root, name, metadata) : undefined;
  }));
  return volumes.filter((volume): volume is Volume => volume !== undefined);
}

function run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(childProcess().execFile)(command, args);
}

/** Whether something is mounted exactly at `path` (the host's mount table). */
async function isMountPoint(path: string): Promise<boolean> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const decode = (field: string) => field.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  return table.split('\n').some((line) => decode(line.split(' ')[4] ?? '') === path);
}

function needsMount(volume: Volume): boolean {
  return Boolean(volume.Options.type || volume.Options.device);
}

/**
 * The local driver's mount at first use: `-o type=… -o device=… -o o=…` volumes are mounted on
 * their `_data` before a container gets them, and stay mounted until the volume is removed.
 */
export async function mountVolume(volume: Volume): Promise<void> {
  if (!needsMount(volume) || (await isMountPoint(volume.Mountpoint))) return;
  const args = ['-t', volume.Options.type, ...(volume.Options.o ? ['-o', volume.Options.o] : []), volume.Options.device, volume.Mountpoint];
  try {
    await run('mount', args);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new BerthError('failed-precondition', `error while mounting volume '${volume.Mountpoint}': failed to mount local volume: ${stderr || (error as Error).message}`);
  }
}

/** Removes the volume's files (unmounting it first); callers decide whether it may go. */
export async function deleteVolume(context: RuntimeContext, volume: Volume): Promise<void> {
  if (needsMount(volume) && (await isMountPoint(volume.Mountpoint))) {
    await run('umount', [volume.Mountpoint]).catch((error: unknown) => {
      throw new BerthError('failed-precondition', `remove ${volume.Name}: error while removing volume: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
    });
  }
  const root = volumeRoot(context);
  // out of sight first: a concurrent create or list never sees half a volume
  const doomed = join(root, `.gone-${randomBytes(8).toString('hex')}`);
  try {
    await rename(join(root, volume.Name), doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(doomed, { recursive: true, force: true });
}

/** Bytes the volume's files take (Docker's UsageData.Size): apparent sizes, each inode once. */
export async function volumeSize(volume: Volume): Promise<number> {
  const seen = new Set<string>();
  const walk = async (path: string): Promise<number> => {
    let stats;
    try {
      stats = await lstat(path);
    } catch {
      return 0;
    }
    const key = `${stats.dev}:${stats.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
    if (!stats.isDirectory()) return stats.isFile() ? stats.size : 0;
    const entries = await readdir(path).catch(() => [] as string[]);
    let total = 0;
    for (const entry of entries) total += await walk(join(path, entry));
    return total;
  };
  const entries = await readdir(volume.Mountpoint).catch(() => [] as string[]);
  let total = 0;
  for (const entry of entries) total += await walk(join(volume.Mountpoint, entry));
  return total;
}

export function isAnonymous(volume: Volume): boolean {
  return Object.hasOwn(volume.Labels, ANONYMOUS_LABEL);
}

