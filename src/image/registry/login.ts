// `berth login` and `berth logout`: which registry a SERVER argument names, checking
// credentials against its `/v2/` before they are stored, and erasing them again.

import { BerthError, withContext } from '../../errors.js';
import { DEFAULT_DOMAIN } from '../reference.js';
import type { RegistryClient } from './client.js';
import { credentialsKey, eraseCredentials, getCredentials, storeCredentials, type Credentials } from './credentials.js';
import { RegistryError } from './errors.js';

export interface LoginServer {
  /** the registry as references name it: `docker.io`, `127.0.0.1:5000` */
  readonly registry: string;
  /** as Docker names it in messages and config.json: `https://index.docker.io/v1/` for Docker Hub, else `host[:port]` */
  readonly address: string;
}

/** What the command line gave, and the stored user name to offer as the default. */
export interface KnownCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly defaultUsername?: string;
}

export interface UsernameAndPassword {
  readonly username: string;
  readonly password: string;
}

export interface LoginRequest {
  readonly server: LoginServer;
  /** from the command line; what is missing is asked for */
  readonly username?: string;
  readonly password?: string;
  /** a client for the server that sends `credentials` instead of the stored ones */
  readonly openRegistry: (credentials: Credentials) => Promise<RegistryClient>;
  /** asks the user for what is missing; absent when nobody can be asked (stdin is no terminal) */
  readonly ask?: (known: KnownCredentials) => Promise<UsernameAndPassword>;
  /** remarks for the user, as Docker makes them while logging in */
  readonly notice: (text: string) => void;
  /** where config.json lives; default `$DOCKER_CONFIG` or `~/.docker` */
  readonly configDir?: string;
}

const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::\d+)?$/;

/**
 * Reads SERVER as Docker does: none (or `docker.io`) is Docker Hub; otherwise a scheme and a
 * path are dropped (`https://host:5000/v2/` is `host:5000`).
 */
export function loginServer(input: string | undefined): LoginServer {
  const text = input?.trim() ?? '';
  const host = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/', 1)[0];
  if (text !== '' && !HOST_PATTERN.test(host)) throw new BerthError('usage', `invalid registry address "${input}"`);
  const hub = credentialsKey(DEFAULT_DOMAIN);
  if (text === '' || credentialsKey(host) === hub) return { registry: DEFAULT_DOMAIN, address: hub };
  return { registry: host, address: host };
}

/**
 * Logs in as `docker login` does: without a user name or password on the command line, the
 * stored credentials are tried first; then what is missing is asked for. Credentials are
 * stored only once the registry has accepted them.
 */
export async function login(request: LoginRequest): Promise<void> {
  const { server, notice } = request;
  let defaultUsername: string | undefined;
  if (request.username === undefined && request.password === undefined) {
    const stored = await getCredentials(server.registry, request.configDir);
    if (stored?.username && stored.password) {
      defaultUsername = stored.username;
      notice(`Authenticating with existing credentials... [Username: ${stored.username}]`);
      notice("To login with a different account, run 'berth logout' followed by 'berth login'");
      try {
        await verify(request, stored);
        return;
      } catch (error) {
        // As Docker: say why, then ask for new credentials (or fail below when nobody can be asked).
        notice(error instanceof BerthError && error.category === 'unauthorized' ? 'Stored credentials invalid or expired' : `Login did not succeed, error: ${(error as Error).message}`);
      }
    }
  }

  let { username, password } = request;
  if (username === undefined || password === undefined) {
    if (!request.ask) {
      throw new BerthError('usage', 'cannot perform an interactive login from a non TTY device: give --username and --password-stdin', { exitCode: 1 });
    }
    ({ username, password } = await request.ask({ username, password, defaultUsername }));
  }
  username = username.trim();
  if (username === '') throw new BerthError('usage', 'a username is required', { exitCode: 1 });
  if (password === '') throw new BerthError('usage', 'a password is required', { exitCode: 1 });
  await verify(request, { username, password });
  await storeCredentials(server.registry, username, password, request.configDir);
}

/** Forgets the server's credentials; false when there were none. */
export async function logout(server: LoginServer, configDir?: string): Promise<boolean> {
  return eraseCredentials(server.registry, configDir);
}

/** Asks the registry's `/v2/` with `credentials`: a registry that wants authentication checks them there. */
async function verify(request: LoginRequest, credentials: Credentials): Promise<void> {
  const registry = await request.openRegistry(credentials);
  try {
    await registry.ping();
  } catch (error) {
    // The registry's own words, without the "run `berth login`" hint its errors carry elsewhere.
    if (error instanceof RegistryError && error.category === 'unauthorized') {
      throw new BerthError('unauthorized', `logging in to ${request.server.address}: ${error.reason}`, { cause: error });
    }
    throw withContext(`logging in to ${request.server.address}`, error);
  } finally {
    await registry.close();
  }
}
