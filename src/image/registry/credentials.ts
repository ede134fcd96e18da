// Registry credentials where Docker keeps them: `$DOCKER_CONFIG/config.json` (default
// `~/.docker/config.json`), either inline under `auths` or in a credential helper program
// (`credHelpers` per registry, `credsStore` for all) spoken to over stdin/stdout.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as z from 'zod/mini';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { DEFAULT_DOMAIN } from '../reference.js';
import { childProcess } from '../../lazy-node.js';

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** an OAuth refresh token, exchanged at the token server instead of a password */
  readonly identityToken?: string;
}

/** Docker Hub's credentials are filed under its old index address, as Docker does. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set([DEFAULT_DOMAIN, 'index.docker.io', 'registry-1.docker.io']);
/** The user name helpers return when the secret is an identity token. */
const TOKEN_USERNAME = '<token>';
const HELPER_TIMEOUT_MS = 30_000;

const authEntrySchema = z.looseObject({
  auth: z.optional(z.string()),
  username: z.optional(z.string()),
  password: z.optional(z.string()),
  identitytoken: z.optional(z.string()),
});

const configSchema = z.looseObject({
  auths: z.optional(z.record(z.string(), authEntrySchema)),
  credsStore: z.optional(z.string()),
  credHelpers: z.optional(z.record(z.string(), z.string())),
});

type DockerConfig = z.infer<typeof configSchema>;

const helperAnswerSchema = z.looseObject({ Username: z.string(), Secret: z.string() });

export function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || path.join(homedir(), '.docker');
}

/** The key a registry's credentials are stored under in config.json and in helpers. */
export function credentialsKey(registry: string): string {
  return DOCKER_HUB_HOSTS.has(registry.toLowerCase()) ? DOCKER_HUB_KEY : registry;
}

export async function getCredentials(registry: string, configDir: string = dockerConfigDir()): Promise<Credentials | undefined> {
  const config = await readConfig(configDir);
  const key = credentialsKey(registry);
  const helper = helperFor(config, registry);
  if (helper) {
    const output = await runHelper(helper, 'get', key);
    if (output === undefined) return undefined;
    const answer = parseHelperAnswer(helper, output);
    if (!answer.Secret) return undefined;
    return answer.Username === TOKEN_USERNAME ? { identityToken: answer.Secret } : { username: answer.Username, password: answer.Secret };
  }
  const entry = findEntry(config.auths, registry)?.[1];
  if (!entry) return undefined;
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new BerthError('invalid-argument', `${configPath(configDir)}: the auth entry for ${key} is not base64 of user:password`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const identityToken = entry.identitytoken || undefined;
  if (!username && !password && !identityToken) return undefined;
  return { username, password, identityToken };
}

/** Saves credentials as `berth login` does: in the configured helper, else inline in config.json. */
export async function storeCredentials(registry: string, username: string, password: string, configDir: string = dockerConfigDir()): Promise<void> {
  const raw = await readRawConfig(configDir);
  const config = validateConfig(raw, configDir);
  const key = credentialsKey(registry);
  const helper = helperFor(config, registry);
  if (helper) {
    await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: username, Secret: password }));
    return;
  }
  const auths = { ...(raw.auths as Record<string, unknown> | undefined) };
  const existing = findEntry(config.auths, registry);
  if (existing) delete auths[existing[0]];
  auths[key] = { auth: Buffer.from(`${username}:${password}`, 'utf8').toString('base64') };
  await writeConfig(configDir, { ...raw, auths });
}

/** Forgets a registry's credentials as `berth logout` does; false when there were none. */
export async function eraseCredentials(registry: string, configDir: string = dockerConfigDir()): Promise<boolean> {
  const raw = await readRawConfig(configDir);
  const config = validateConfig(raw, configDir);
  const helper = helperFor(config, registry);
  if (helper) return (await runHelper(helper, 'erase', credentialsKey(registry))) !== undefined;
  const auths = { ...(raw.auths as Record<string, unknown> | undefined) };
  const host = hostOfKey(registry);
  const keys = Object.keys(auths).filter((key) => hostOfKey(key) === host);
  if (keys.length === 0) return false;
  for (const key of keys) delete auths[key];
  await writeConfig(configDir, { ...raw, auths });
  return true;
}

function helperFor(config: DockerConfig, registry: string): string | undefined {
  return findEntry(config.credHelpers, registry)?.[1] || config.credsStore || undefined;
}

/** Keys may be written as `host`, `https://host` or `https://host/v1/`; the exact key wins. */
function findEntry<T>(map: Readonly<Record<string, T>> | undefined, registry: string): [string, T] | undefined {
  if (!map) return undefined;
  const key = credentialsKey(registry);
  if (Object.hasOwn(map, key)) return [key, map[key]];
  const host = hostOfKey(registry);
  return Object.entries(map).find(([candidate]) => hostOfKey(candidate) === host);
}

function hostOfKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/', 1)[0].toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? DEFAULT_DOMAIN : host;
}

function configPath(configDir: string): string {
  return path.join(configDir, 'config.json');
}

async function readConfig(configDir: string): Promise<DockerConfig> {
  return validateConfig(await readRawConfig(configDir), configDir);
}

async function readRawConfig(configDir: string): Promise<Record<string, unknown>> {
  const file = configPath(configDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BerthError('permission-denied', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BerthError('invalid-argument', `${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BerthError('invalid-argument', `${file}: not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function validateConfig(raw: Record<string, unknown>, configDir: string): DockerConfig {
  const result = safeParse(configSchema, raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BerthError('invalid-argument', `${configPath(configDir)}: ${issue.path.join('.')}: ${issue.message}`, { cause: result.error });
}

/**
 * Replaces config.json in one step (temporary file, then rename) with mode 0600, writing
 * through a symbolic link to its target as Docker does.
 */
async function writeConfig(configDir: string, config: Record<string, unknown>): Promise<void> {
  let target = configPath(configDir);
  try {
    target = await realpath(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new BerthError('permission-denied', `cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
}

function parseHelperAnswer(helper: string, output: string): z.infer<typeof helperAnswerSchema> {
  try {
    return helperAnswerSchema.parse(JSON.parse(output));
  } catch (error) {
    throw new BerthError('failed-precondition', `docker-credential-${helper} gave an answer that is not {Username, Secret} JSON`, { cause: error });
  }
}

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin. Returns its output, or
 * undefined when the helper says it holds no credentials for the registry.
 */
function runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    // spawn's own `timeout` leaves its timer running when the program cannot be started.
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === 'ENOENT' ? `${program} is not installed or not in PATH` : `${program}: ${error.message}`;
      reject(new BerthError('failed-precondition', `cannot use credential helper ${helper}: ${reason}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const output = Buffer.concat(stdout).toString('utf8').trim();
      if (code === 0) return resolve(output);
      // docker-credential-helpers report a missing entry with this text and a non-zero exit
      if (/credentials not found/i.test(output)) return resolve(undefined);
      const reason = output || Buffer.concat(stderr).toString('utf8').trim() || (signal ? `killed by ${signal}` : `exit status ${code}`);
      reject(new BerthError('failed-precondition', `credential helper ${program} ${action} failed: ${reason}`));
    });
    // A helper that exits without reading stdin is reported by 'close'; the EPIPE is no news.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
