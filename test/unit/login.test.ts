// berth login's logic without a registry: which server SERVER names, the order in which
// stored, given and asked-for credentials are tried, and what is stored when.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import type { RegistryClient } from '../../src/image/registry/client.js';
import type { Credentials } from '../../src/image/registry/credentials.js';
import { responseError } from '../../src/image/registry/errors.js';
import { login, loginServer, type LoginRequest } from '../../src/image/registry/login.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'berth-login-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loginServer', () => {
  const cases: [string | undefined, string, string][] = [
    [undefined, 'docker.io', 'https://index.docker.io/v1/'],
    ['docker.io', 'docker.io', 'https://index.docker.io/v1/'],
    ['https://index.docker.io/v1/', 'docker.io', 'https://index.docker.io/v1/'],
    ['registry-1.docker.io', 'docker.io', 'https://index.docker.io/v1/'],
    ['127.0.0.1:5000', '127.0.0.1:5000', '127.0.0.1:5000'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000', '127.0.0.1:5000'],
    ['registry.example.com', 'registry.example.com', 'registry.example.com'],
    ['[::1]:5000', '[::1]:5000', '[::1]:5000'],
  ];
  for (const [input, registry, address] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => assert.deepEqual(loginServer(input), { registry, address }));
  }
  it('refuses what is no host', () => {
    assert.throws(() => loginServer('not a host'), (error: unknown) => isBerthError(error, 'usage') && /invalid registry address/.test(error.message));
  });
});

/** A registry whose `/v2/` accepts exactly `accepted`, recording what it was asked with. */
function fakeRegistry(accepted: Credentials) {
  const tried: Credentials[] = [];
  const open = async (credentials: Credentials) => {
    tried.push(credentials);
    return {
      ping: async () => {
        if (credentials.username !== accepted.username || credentials.password !== accepted.password) {
          throw responseError({ method: 'GET', url: 'http://127.0.0.1:5000/v2/', registry: '127.0.0.1:5000', subject: 'registry 127.0.0.1:5000' }, 401, '');
        }
      },
      close: async () => undefined,
    } as unknown as RegistryClient;
  };
  return { tried, open };
}

async function configDir(config?: object): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'config-'));
  if (config) await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

async function storedAuth(dir: string): Promise<string | undefined> {
  const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { auths?: Record<string, { auth?: string }> };
  const auth = config.auths?.['127.0.0.1:5000']?.auth;
  return auth === undefined ? undefined : Buffer.from(auth, 'base64').toString();
}

describe('login', () => {
  const server = loginServer('127.0.0.1:5000');
  const request = (registry: ReturnType<typeof fakeRegistry>, fields: Partial<LoginRequest>, notices: string[] = []): LoginRequest => ({
    server,
    openRegistry: registry.open,
    notice: (text) => notices.push(text),
    ...fields,
  });

  it('stores given credentials once the registry accepts them', async () => {
    const dir = await configDir();
    const registry = fakeRegistry({ username: 'alice', password: 'right' });
    await login(request(registry, { username: 'alice', password: 'right', configDir: dir }));
    assert.equal(await storedAuth(dir), 'alice:right');
  });

  it('stores nothing when the registry refuses, and says so in its words without the login hint', async () => {
    const dir = await configDir();
    const registry = fakeRegistry({ username: 'alice', password: 'right' });
    await assert.rejects(login(request(registry, { username: 'alice', password: 'wrong', configDir: dir })), (error: unknown) => {
      return isBerthError(error, 'unauthorized') && error.message === 'logging in to 127.0.0.1:5000: unauthorized: authentication required';
    });
    await assert.rejects(readFile(path.join(dir, 'config.json')), /ENOENT/);
  });

  it('tries stored credentials first and asks nothing when they still work', async () => {
    const dir = await configDir({ auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:right').toString('base64') } } });
    const registry = fakeRegistry({ username: 'alice', password: 'right' });
    const notices: string[] = [];
    await login(request(registry, { configDir: dir, ask: () => assert.fail('asked') }, notices));
    assert.deepEqual(registry.tried.map(({ username, password }) => ({ username, password })), [{ username: 'alice', password: 'right' }]);
    assert.match(notices[0], /Authenticating with existing credentials\.\.\. \[Username: alice\]/);
  });

  it('asks for new credentials when the stored ones are refused, offering the stored user name', async () => {
    const dir = await configDir({ auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:old').toString('base64') } } });
    const registry = fakeRegistry({ username: 'alice', password: 'new' });
    const notices: string[] = [];
    await login(
      request(
        registry,
        {
          configDir: dir,
          ask: async (known) => {
            assert.deepEqual(known, { username: undefined, password: undefined, defaultUsername: 'alice' });
            return { username: 'alice', password: 'new' };
          },
        },
        notices,
      ),
    );
    assert.ok(notices.includes('Stored credentials invalid or expired'));
    assert.equal(await storedAuth(dir), 'alice:new');
  });

  it('without a terminal to ask at, missing credentials are a clear error', async () => {
    const registry = fakeRegistry({ username: 'alice', password: 'right' });
    await assert.rejects(login(request(registry, { username: 'alice', configDir: await configDir() })), (error: unknown) => {
      return isBerthError(error, 'usage') && error.exitCode === 1 && /non TTY device/.test(error.message);
    });
    assert.deepEqual(registry.tried, []);
  });

  it('asks only for the password when the user name was given', async () => {
    const dir = await configDir();
    const registry = fakeRegistry({ username: 'bob', password: 'pw' });
    await login(request(registry, { username: 'bob', configDir: dir, ask: async (known) => ({ username: known.username ?? 'wrong', password: 'pw' }) }));
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
    assert.equal(Buffer.from(config.auths['127.0.0.1:5000'].auth, 'base64').toString(), 'bob:pw');
  });
});
