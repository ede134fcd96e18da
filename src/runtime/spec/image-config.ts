// Merging the image's config with the user's request, by the Docker daemon's rules.

import { usageError } from '../../errors.js';
import type { ImageConfig } from '../../image/manifest.js';
import type { CreateIntent } from '../intent.js';
import { DEFAULT_PATH } from './defaults.js';
import type { Spec } from './types.js';

type ImageRunConfig = NonNullable<ImageConfig['config']>;

const envKey = (entry: string): string => entry.split('=', 1)[0];

/**
 * `overrides` laid over `base`: a key already in `base` is replaced where it stands, a new key
 * is appended, and a bare `KEY` (no `=`) removes it, as Docker's ReplaceOrAppendEnvValues.
 */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const result = [...base];
  for (const entry of overrides) {
    const key = envKey(entry);
    const at = result.findIndex((existing) => envKey(existing) === key);
    if (!entry.includes('=')) {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) {
      result[at] = entry;
    } else {
      result.push(entry);
    }
  }
  return result;
}

/**
 * The container's Config.Env as Docker stores it: the user's entries first, then the image's
 * entries whose key the user did not set.
 */
export function mergeEnv(imageEnv: readonly string[], userEnv: readonly string[]): string[] {
  const userKeys = new Set(userEnv.map(envKey));
  return [...userEnv, ...imageEnv.filter((entry) => !userKeys.has(envKey(entry)))];
}

/**
 * Entrypoint + Cmd. A user Cmd replaces the image's; a user Entrypoint replaces the image's
 * and drops the image's Cmd, since that Cmd was written for the old entrypoint. `[""]` is how
 * `--entrypoint ''` arrives: it clears the entrypoint (and, being given, still drops the Cmd).
 */
export function mergeArgs(image: ImageRunConfig | undefined, intent: Pick<CreateIntent, 'Entrypoint' | 'Cmd'>): string[] {
  const userCmd = intent.Cmd ?? [];
  let entrypoint: string[];
  let cmd: string[];
  if (intent.Entrypoint && intent.Entrypoint.length > 0) {
    entrypoint = intent.Entrypoint;
    cmd = userCmd;
  } else {
    // An explicit empty list keeps the image's Cmd but not its Entrypoint, as the Engine API does.
    entrypoint = intent.Entrypoint ?? image?.Entrypoint ?? [];
    cmd = userCmd.length > 0 ? userCmd : (image?.Cmd ?? []);
  }
  if (entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw usageError('no command specified');
  return args;
}

/**
 * The process (args, env, cwd) and hostname from the image config and the request. `hostname`
 * is the container's: the user's `--hostname`, else Docker's default of the ID's first 12
 * characters (see defaultHostname).
 */
export function withImageConfig(spec: Spec, imageConfig: ImageConfig, intent: CreateIntent, hostname: string): void {
  const image = imageConfig.config ?? undefined;
  spec.process.args = mergeArgs(image, intent);

  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`];
  if (intent.Tty) base.push('TERM=xterm');
  spec.process.env = replaceOrAppendEnv(base, mergeEnv(image?.Env ?? [], intent.Env ?? []));

  const workingDir = intent.WorkingDir || image?.WorkingDir || '/';
  if (!workingDir.startsWith('/')) {
    throw usageError(`the working directory '${workingDir}' is invalid, it needs to be an absolute path`);
  }
  spec.process.cwd = workingDir;

  spec.hostname = hostname;
  if (intent.Domainname) spec.domainname = intent.Domainname;
}

export function defaultHostname(intent: Pick<CreateIntent, 'Hostname'>, id: string): string {
  return intent.Hostname || id.slice(0, 12);
}
