// The registry client against in-process doubles on 127.0.0.1: a small distribution API with
// token (Bearer) or Basic authentication, plain HTTP and HTTPS with a CA made here by openssl.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, afterEach, before, describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { MediaType } from '../../src/image/media-types.js';
import { parseChallenges } from '../../src/image/registry/auth.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/image/registry/client.js';
import { credentialsKey, eraseCredentials, getCredentials, storeCredentials } from '../../src/image/registry/credentials.js';
import { parseErrorBody, RegistryError, responseError, transportError } from '../../src/image/registry/errors.js';
import { isInsecureRegistry, isLocalHost, registryEndpoints } from '../../src/image/registry/hosts.js';

const USER = 'alice';
const PASSWORD = 's3cret';
const REFRESH_TOKEN = 'refresh-me';
const MiB = 1024 * 1024;

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let root: string;
let emptyConfig: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'berth-registry-test-'));
  emptyConfig = path.join(root, 'empty-config');
  await mkdir(emptyConfig);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), ...headers });
  res.end(data);
}

type Hook = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly headers: IncomingHttpHeaders;
}

interface TokenRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly authorization?: string;
  readonly form?: URLSearchParams;
}

/** A registry double: manifests and blobs in memory, optional Bearer or Basic authentication. */
class FakeRegistry {
  auth: 'none' | 'bearer' | 'basic' = 'none';
  readonly privateRepos = new Set<string>();
  honourRange = true;
  readonly hooks: Hook[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  private readonly manifests = new Map<string, { mediaType: string; body: Buffer }>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly tokens = new Map<string, { user?: string; scopes: string[] }>();
  private server?: Server;
  private scheme = 'http';
  port = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get origin(): string {
    return `${this.scheme}://${this.host}`;
  }

  async start(tlsOptions?: { key: Buffer; cert: Buffer; ca: Buffer; requireClientCert?: boolean }): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: String(error) }] });
      });
    };
    if (tlsOptions) {
      this.scheme = 'https';
      this.server = createHttpsServer(
        { key: tlsOptions.key, cert: tlsOptions.cert, ca: tlsOptions.ca, requestCert: true, rejectUnauthorized: tlsOptions.requireClientCert ?? false },
        handler,
      );
    } else {
      this.server = createServer(handler);
    }
    this.port = await listen(this.server);
    return this;
  }

  async stop(): Promise<void> {
    if (this.server) await shut(this.server);
  }

  addManifest(repo: string, tag: string | undefined, mediaType: string, body: Buffer): string {
    const digest = sha256(body);
    this.manifests.set(`${repo}@${digest}`, { mediaType, body });
    if (tag) this.manifests.set(`${repo}:${tag}`, { mediaType, body });
    return digest;
  }

  addBlob(content: Buffer): string {
    const digest = sha256(content);
    this.blobs.set(digest, content);
    return digest;
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  hasBlob(digest: string): boolean {
    return this.blobs.has(digest);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = req.method ?? 'GET';
    if (url.pathname === '/token') return this.token(req, res, url);
    this.requests.push({ method, path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, headers: req.headers });

    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    const item = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const repo = upload?.[1] ?? item?.[1];
    const action = method === 'GET' || method === 'HEAD' ? 'pull' : 'push';
    if (!this.authorized(req, repo, action)) return this.challenge(res, repo, action);
    for (const hook of this.hooks) if (await hook(req, res, url)) return;

    if (url.pathname === '/v2/') return sendJson(res, 200, {});
    if (upload && method === 'POST') {
      res.writeHead(202, { location: `/v2/${upload[1]}/blobs/uploads/${this.blobs.size + 1}?_state=opaque`, 'content-length': '0' });
      return void res.end();
    }
    if (upload && method === 'PUT') {
      const content = await readAll(req);
      const digest = url.searchParams.get('digest');
      if (url.searchParams.get('_state') !== 'opaque' || digest !== sha256(content)) {
        return sendJson(res, 400, { errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] });
      }
      this.blobs.set(digest, content);
      res.writeHead(201, { location: `/v2/${upload[1]}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' });
      return void res.end();
    }
    if (item?.[2] === 'manifests' && method === 'PUT') {
      const body = await readAll(req);
      const reference = item[3];
      this.addManifest(item[1], reference.includes(':') ? undefined : reference, req.headers['content-type'] ?? '', body);
      res.writeHead(201, { 'docker-content-digest': sha256(body), 'content-length': '0' });
      return void res.end();
    }
    if (item?.[2] === 'manifests') {
      const reference = item[3];
      const manifest = this.manifests.get(`${item[1]}${reference.includes(':') ? '@' : ':'}${reference}`);
      if (!manifest) return sendJson(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: reference } }] });
      res.writeHead(200, { 'content-type': manifest.mediaType, 'content-length': String(manifest.body.length), 'docker-content-digest': sha256(manifest.body) });
      return void res.end(method === 'HEAD' ? undefined : manifest.body);
    }
    if (item?.[2] === 'blobs') {
      const blob = this.blobs.get(item[3]);
      if (!blob) {
        if (method === 'HEAD') return void res.writeHead(404).end();
        return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
      }
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range && this.honourRange) {
        const start = Number(range[1]);
        res.writeHead(206, { 'content-length': String(blob.length - start), 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` });
        return void res.end(method === 'HEAD' ? undefined : blob.subarray(start));
      }
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': item[3] });
      return void res.end(method === 'HEAD' ? undefined : blob);
    }
    sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
  }

  private authorized(req: IncomingMessage, repo: string | undefined, action: 'pull' | 'push'): boolean {
    const header = req.headers.authorization ?? '';
    if (this.auth === 'none') return true;
    if (this.auth === 'basic') return header === basic(USER, PASSWORD);
    const grant = this.tokens.get(header.replace(/^Bearer /, ''));
    if (!grant) return false;
    if (repo === undefined) return true;
    if (this.privateRepos.has(repo) && grant.user === undefined) return false;
    return grant.scopes.some((scope) => {
      const [type, name, actions] = scope.split(':');
      return type === 'repository' && name === repo && actions.split(',').includes(action);
    });
  }

  private challenge(res: ServerResponse, repo: string | undefined, action: string): void {
    const challenge =
      this.auth === 'basic'
        ? 'Basic realm="fake-registry"'
        : `Bearer realm="${this.origin}/token",service="fake-registry"${repo ? `,scope="repository:${repo}:${action}"` : ''}`;
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }, { 'www-authenticate': challenge });
  }

  private async token(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readAll(req);
    const form = req.method === 'POST' ? new URLSearchParams(body.toString()) : undefined;
    this.tokenRequests.push({ method: req.method ?? 'GET', query: url.searchParams, authorization: req.headers.authorization, form });
    let user: string | undefined;
    let scopes = url.searchParams.getAll('scope');
    if (form) {
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== REFRESH_TOKEN) return sendJson(res, 401, { error: 'invalid_grant' });
      user = USER;
      scopes = form.getAll('scope');
    } else if (req.headers.authorization) {
      if (req.headers.authorization !== basic(USER, PASSWORD)) return sendJson(res, 401, { details: 'incorrect username or password' });
      user = USER;
    }
    const token = `token-${this.tokens.size + 1}`;
    this.tokens.set(token, { user, scopes });
    sendJson(res, 200, form ? { access_token: token, expires_in: 300, refresh_token: REFRESH_TOKEN } : { token, expires_in: 300 });
  }
}

const registries: FakeRegistry[] = [];
const clients: RegistryClient[] = [];
const servers: Server[] = [];

async function startRegistry(tlsOptions?: Parameters<FakeRegistry['start']>[0]): Promise<FakeRegistry> {
  const registry = await new FakeRegistry().start(tlsOptions);
  registries.push(registry);
  return registry;
}

function clientFor(registry: string, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  const client = new RegistryClient(registry, { userAgent: 'berth-test', certsDirs: [], dockerConfigDir: emptyConfig, ...options });
  clients.push(client);
  return client;
}

async function configDir(config: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'config-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(registries.splice(0).map((registry) => registry.stop()));
  await Promise.all(servers.splice(0).map(shut));
});

function manifestFor(config: Buffer, layers: Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({ mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length })),
    }),
  );
}

const sampleManifest = manifestFor(Buffer.from('{}'), [Buffer.from('layer')]);

function isError(category: Parameters<typeof isBerthError>[1], pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isBerthError(error, category), `expected a ${category} BerthError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('RegistryClient: authentication', () => {
  it('gets an anonymous token for the scope and reuses it', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    const digest = registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const client = clientFor(registry.host);

    const first = await client.getManifest('library/app', 'latest');
    assert.equal(first.digest, digest);
    assert.equal(first.mediaType, MediaType.ociManifest);
    assert.equal(first.document.kind, 'manifest');
    assert.deepEqual(first.bytes, sampleManifest);
    assert.equal(registry.tokenRequests.length, 1);
    const [tokenRequest] = registry.tokenRequests;
    assert.equal(tokenRequest.query.get('service'), 'fake-registry');
    assert.deepEqual(tokenRequest.query.getAll('scope'), ['repository:library/app:pull']);
    assert.equal(tokenRequest.authorization, undefined);

    await client.getManifest('library/app', digest);
    assert.equal(registry.tokenRequests.length, 1, 'the token is cached for its scope');
    const unauthenticated = registry.requests.filter((request) => request.authorization === undefined);
    assert.equal(unauthenticated.length, 1, 'only the first request goes without a token');
  });

  it('shares one token request among concurrent requests and renews a refused token', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    const blobs = ['one', 'two', 'three'].map((content) => Buffer.from(content));
    const descriptors = blobs.map((blob) => ({ digest: registry.addBlob(blob), size: blob.length }));
    const client = clientFor(registry.host);

    const fetched = await Promise.all(descriptors.map((descriptor) => client.fetchBlob('library/app', descriptor)));
    assert.deepEqual(await Promise.all(fetched.map((blob) => text(blob.stream))), ['one', 'two', 'three']);
    assert.equal(registry.tokenRequests.length, 1);

    registry.revokeTokens();
    assert.equal(await text((await client.fetchBlob('library/app', descriptors[0])).stream), 'one');
    assert.equal(registry.tokenRequests.length, 2);
  });

  it('asks for a token with Basic credentials from config.json', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    registry.privateRepos.add('team/private');
    registry.addManifest('team/private', 'v1', MediaType.ociManifest, sampleManifest);
    const dockerConfigDir = await configDir({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const client = clientFor(registry.host, { dockerConfigDir });

    await client.getManifest('team/private', 'v1');
    const [tokenRequest] = registry.tokenRequests;
    assert.equal(tokenRequest.method, 'GET');
    assert.equal(tokenRequest.authorization, basic(USER, PASSWORD));
    assert.equal(tokenRequest.query.get('account'), USER);
  });

  it('exchanges an identity token as an OAuth refresh token', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    registry.privateRepos.add('team/private');
    registry.addManifest('team/private', 'v1', MediaType.ociManifest, sampleManifest);
    const dockerConfigDir = await configDir({ auths: { [`https://${registry.host}`]: { identitytoken: REFRESH_TOKEN } } });
    const client = clientFor(registry.host, { dockerConfigDir });

    await client.getManifest('team/private', 'v1');
    const [tokenRequest] = registry.tokenRequests;
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.form?.get('grant_type'), 'refresh_token');
    assert.equal(tokenRequest.form?.get('refresh_token'), REFRESH_TOKEN);
    assert.deepEqual(tokenRequest.form?.getAll('scope'), ['repository:team/private:pull']);
  });

  it('reports a private repository without credentials as unauthorized, with a login hint', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    registry.privateRepos.add('team/private');
    const client = clientFor(registry.host);
    await assert.rejects(
      client.getManifest('team/private', 'v1'),
      isError('unauthorized', new RegExp(`^manifest for ${registry.host}/team/private:v1: unauthorized: authentication required; run \`berth login ${registry.host}\`$`)),
    );
  });

  it('reports credentials the token server refuses', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    const dockerConfigDir = await configDir({ auths: { [registry.host]: { username: USER, password: 'wrong' } } });
    const client = clientFor(registry.host, { dockerConfigDir });
    await assert.rejects(
      client.getManifest('library/app', 'latest'),
      isError('unauthorized', /^authenticating with 127\.0\.0\.1:\d+: unauthorized: incorrect username or password; run `berth login 127\.0\.0\.1:\d+`$/),
    );
  });

  it('answers a Basic challenge with stored credentials', async () => {
    const registry = await startRegistry();
    registry.auth = 'basic';
    registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const dockerConfigDir = await configDir({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    await clientFor(registry.host, { dockerConfigDir }).getManifest('library/app', 'latest');
    assert.equal(registry.requests.at(-1)?.authorization, basic(USER, PASSWORD));

    await assert.rejects(clientFor(registry.host).getManifest('library/app', 'latest'), isError('unauthorized', /unauthorized: authentication required; run `berth login/));
  });

  it('checks given credentials on ping, as login does', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    await clientFor(registry.host, { credentials: { username: USER, password: PASSWORD } }).ping();
    assert.equal(registry.tokenRequests.at(-1)?.authorization, basic(USER, PASSWORD));
    assert.deepEqual(registry.tokenRequests.at(-1)?.query.getAll('scope'), []);
    await assert.rejects(clientFor(registry.host, { credentials: { username: USER, password: 'nope' } }).ping(), isError('unauthorized', /incorrect username or password/));
  });
});

describe('RegistryClient: errors and retries', () => {
  it('keeps the registry errors[] in a not-found message, with method and URL for debugging', async () => {
    const registry = await startRegistry();
    const client = clientFor(registry.host);
    const error = await client.getManifest('library/app', 'nope').then(
      () => assert.fail('expected a failure'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof RegistryError);
    assert.equal(error.category, 'not-found');
    assert.equal(error.message, `manifest for ${registry.host}/library/app:nope not found: manifest unknown: manifest unknown`);
    assert.equal(error.method, 'GET');
    assert.equal(error.url, `http://${registry.host}/v2/library/app/manifests/nope`);
    assert.equal(error.status, 404);
    assert.deepEqual(error.errors[0], { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } });
  });

  it('maps a denied push to unauthorized and keeps every error', async () => {
    const registry = await startRegistry();
    registry.hooks.push((req, res) => {
      if (req.method !== 'PUT') return false;
      sendJson(res, 403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }, { code: 'UNSUPPORTED', message: 'read-only' }] });
      return true;
    });
    await assert.rejects(
      clientFor(registry.host).putManifest('library/app', 'v1', MediaType.ociManifest, sampleManifest),
      isError('unauthorized', /: denied: requested access to the resource is denied; unsupported: read-only; run `berth login/),
    );
  });

  it('retries 429 and 5xx answers and dropped connections', async () => {
    const registry = await startRegistry();
    registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    let throttled = 0;
    let dropped = 0;
    registry.hooks.push((req, res, url) => {
      if (url.pathname.endsWith('/manifests/latest') && throttled === 0) {
        throttled += 1;
        sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '0' });
        return true;
      }
      if (url.pathname.endsWith('/manifests/latest') && dropped === 0) {
        dropped += 1;
        req.socket.destroy();
        return true;
      }
      return false;
    });
    const manifest = await clientFor(registry.host).getManifest('library/app', 'latest');
    assert.equal(manifest.digest, sha256(sampleManifest));
    assert.equal(registry.requests.filter((request) => request.path.endsWith('/manifests/latest')).length, 3);
  });

  it('gives up after three attempts', async () => {
    const registry = await startRegistry();
    registry.hooks.push((_req, res) => {
      sendJson(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'maintenance' }] });
      return true;
    });
    await assert.rejects(clientFor(registry.host).getManifest('library/app', 'latest'), isError('unavailable', /: unavailable: maintenance$/));
    assert.equal(registry.requests.length, 3);
  });

  for (const withLength of [true, false]) {
    it(`refuses a 64 MiB manifest without reading it all (${withLength ? 'with' : 'without'} Content-Length)`, async () => {
      const registry = await startRegistry();
      const total = 64 * MiB;
      let writtenWhenClosed: Promise<number> | undefined;
      registry.hooks.push((_req, res, url) => {
        if (!url.pathname.endsWith('/manifests/huge')) return false;
        res.writeHead(200, { 'content-type': MediaType.ociManifest, ...(withLength ? { 'content-length': String(total) } : {}) });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let written = 0;
        writtenWhenClosed = new Promise((resolve) => res.on('close', () => resolve(written)));
        const pump = (): void => {
          while (written < total && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return true;
      });
      await assert.rejects(
        clientFor(registry.host).getManifest('library/app', 'huge'),
        isError('failed-precondition', /manifest for .*library\/app:huge is larger than 4 MiB/),
      );
      assert.ok(writtenWhenClosed);
      const written = await writtenWhenClosed;
      assert.ok(written < 16 * MiB, `the server wrote ${written} bytes before the client hung up`);
    });
  }

  it('refuses a manifest whose content does not match the digest asked for', async () => {
    const registry = await startRegistry();
    const digest = registry.addManifest('library/app', undefined, MediaType.ociManifest, sampleManifest);
    registry.hooks.push((_req, res, url) => {
      if (!url.pathname.endsWith(digest)) return false;
      const other = manifestFor(Buffer.from('{"x":1}'), []);
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'content-length': String(other.length) });
      res.end(other);
      return true;
    });
    await assert.rejects(clientFor(registry.host).getManifest('library/app', digest), isError('failed-precondition', /the registry sent content with digest sha256:/));
  });

  it('refuses schema 1 manifests', async () => {
    const registry = await startRegistry();
    registry.addManifest('library/old', 'latest', MediaType.dockerSchema1SignedManifest, Buffer.from('{"schemaVersion":1}'));
    await assert.rejects(clientFor(registry.host).getManifest('library/old', 'latest'), /schema 1 images are not supported/);
  });

  it('names the host when the connection is refused', async () => {
    const server = createServer();
    const port = await listen(server);
    await shut(server);
    await assert.rejects(clientFor(`127.0.0.1:${port}`).ping(), isError('unavailable', new RegExp(`^cannot connect to registry 127\\.0\\.0\\.1:${port}: connection refused$`)));
  });
});

describe('RegistryClient: blobs and push', () => {
  it('follows a blob redirect without sending credentials to the other host', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    const content = Buffer.from('layer bytes served by storage');
    const digest = sha256(content);
    const seen: (string | undefined)[] = [];
    const storage = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': String(content.length) });
      res.end(content);
    });
    servers.push(storage);
    const storagePort = await listen(storage);
    registry.hooks.push((_req, res, url) => {
      if (!url.pathname.endsWith(`/blobs/${digest}`)) return false;
      res.writeHead(307, { location: `http://127.0.0.1:${storagePort}/storage/${digest}?signature=abc`, 'content-length': '0' });
      res.end();
      return true;
    });

    const blob = await clientFor(registry.host).fetchBlob('library/app', { digest, size: content.length });
    assert.equal(blob.status, 200);
    assert.equal(await text(blob.stream), content.toString());
    assert.deepEqual(seen, [undefined]);
    assert.match(registry.requests.at(-1)?.authorization ?? '', /^Bearer token-/);
  });

  it('resumes with a Range request, or restarts when the registry ignores it', async () => {
    const registry = await startRegistry();
    const content = Buffer.from('0123456789abcdefghij');
    const digest = registry.addBlob(content);
    const client = clientFor(registry.host);

    const partial = await client.fetchBlob('library/app', { digest, size: content.length }, { offset: 10 });
    assert.equal(partial.status, 206);
    assert.equal(partial.total, content.length);
    assert.equal(await text(partial.stream), 'abcdefghij');

    registry.honourRange = false;
    const whole = await client.fetchBlob('library/app', { digest, size: content.length }, { offset: 10 });
    assert.equal(whole.status, 200);
    assert.equal(await text(whole.stream), content.toString());

    await assert.rejects(client.fetchBlob('library/app', { digest: sha256(Buffer.from('missing')), size: 7 }), isError('not-found', /blob unknown: blob unknown to registry/));
    await assert.rejects(client.fetchBlob('library/app', { digest, size: 99 }), isError('failed-precondition', /sent 20 bytes/));
  });

  it('uploads blobs, pushes a manifest and reads it back', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    const dockerConfigDir = await configDir({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const client = clientFor(registry.host, { dockerConfigDir });
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const layer = Buffer.alloc(256 * 1024, 7);
    const manifest = manifestFor(config, [layer]);

    for (const blob of [config, layer]) {
      const descriptor = { digest: sha256(blob), size: blob.length };
      assert.equal(await client.blobExists('team/app', descriptor.digest), false);
      await client.uploadBlob('team/app', descriptor, Readable.from([blob.subarray(0, 1000), blob.subarray(1000)]));
      assert.equal(await client.blobExists('team/app', descriptor.digest), true);
      assert.ok(registry.hasBlob(descriptor.digest));
    }
    const digest = await client.putManifest('team/app', 'v1', MediaType.ociManifest, manifest);
    assert.equal(digest, sha256(manifest));

    const head = await client.headManifest('team/app', 'v1');
    assert.deepEqual(head, { mediaType: MediaType.ociManifest, digest, size: manifest.length });
    const fetched = await client.getManifest('team/app', digest);
    assert.deepEqual(fetched.bytes, manifest);
    assert.ok(registry.tokenRequests.some((request) => request.query.getAll('scope').includes('repository:team/app:pull,push')));
    assert.equal(registry.tokenRequests.length, 2, 'one token for pushing, one for pulling');
  });

  it('reports a refused upload with the registry error', async () => {
    const registry = await startRegistry();
    const content = Buffer.from('abc');
    await assert.rejects(
      clientFor(registry.host).uploadBlob('library/app', { digest: sha256(Buffer.from('other')), size: content.length }, Readable.from([content])),
      isError('invalid-argument', /digest invalid: provided digest did not match uploaded content/),
    );
  });

  it('refuses a manifest pushed under a digest it does not have', async () => {
    const registry = await startRegistry();
    await assert.rejects(
      clientFor(registry.host).putManifest('library/app', sha256(Buffer.from('x')), MediaType.ociManifest, sampleManifest),
      isError('invalid-argument', /does not have that digest/),
    );
    assert.equal(registry.requests.length, 0);
  });
});

describe('RegistryClient: TLS and certs.d', () => {
  let pki: string;
  let ca: Buffer;
  let serverKey: Buffer;
  let serverCert: Buffer;

  before(async () => {
    pki = path.join(root, 'pki');
    await mkdir(pki);
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=berth test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    await writeFile(path.join(pki, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await writeFile(path.join(pki, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const name of ['server', 'client']) {
      openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=berth test ${name}`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
    }
    ca = await readFile(path.join(pki, 'ca.crt'));
    serverKey = await readFile(path.join(pki, 'server.key'));
    serverCert = await readFile(path.join(pki, 'server.crt'));
  });

  async function certsDir(host: string, files: Record<string, string | Buffer>): Promise<string> {
    const dir = await mkdtemp(path.join(root, 'certs.d-'));
    await mkdir(path.join(dir, host));
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, host, name), content);
    return dir;
  }

  const pkiFile = (name: string): Promise<Buffer> => readFile(path.join(pki, name));

  it('presents a Docker-style client certificate from certs.d/<host:port>/', async () => {
    const registry = await startRegistry({ key: serverKey, cert: serverCert, ca, requireClientCert: true });
    registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const dir = await certsDir(registry.host, { 'ca.crt': ca, 'client.cert': await pkiFile('client.crt'), 'client.key': await pkiFile('client.key') });
    const manifest = await clientFor(registry.host, { certsDirs: [path.join(root, 'absent'), dir] }).getManifest('library/app', 'latest');
    assert.equal(manifest.digest, sha256(sampleManifest));

    await assert.rejects(clientFor(registry.host).getManifest('library/app', 'latest'), (error: unknown) => isBerthError(error, 'unavailable'));
  });

  it('verifies a hosts.toml server against its ca, and honours skip_verify', async () => {
    const registry = await startRegistry({ key: serverKey, cert: serverCert, ca });
    registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const trusted = await certsDir('registry.test', { 'hosts.toml': `server = "https://${registry.host}"\nca = "ca.crt"\n`, 'ca.crt': ca });
    const manifest = await clientFor('registry.test', { certsDirs: [trusted] }).getManifest('library/app', 'latest');
    assert.equal(manifest.digest, sha256(sampleManifest));

    const untrusted = await certsDir('registry.test', { 'hosts.toml': `server = "https://${registry.host}"\n` });
    await assert.rejects(
      clientFor('registry.test', { certsDirs: [untrusted] }).getManifest('library/app', 'latest'),
      isError('unavailable', new RegExp(`^cannot verify the TLS certificate of registry ${registry.host}: .*--insecure-registry registry\\.test$`)),
    );

    const skipping = await certsDir('registry.test', { 'hosts.toml': `server = "https://${registry.host}"\nskip_verify = true\n` });
    await clientFor('registry.test', { certsDirs: [skipping] }).getManifest('library/app', 'latest');
  });

  it('presents a hosts.toml client pair', async () => {
    const registry = await startRegistry({ key: serverKey, cert: serverCert, ca, requireClientCert: true });
    registry.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const dir = await certsDir('registry.test', {
      'hosts.toml': `server = "https://${registry.host}"\nca = ["ca.crt"]\nclient = ["client.cert", "client.key"]\n`,
      'ca.crt': ca,
      'client.cert': await pkiFile('client.crt'),
      'client.key': await pkiFile('client.key'),
    });
    await clientFor('registry.test', { certsDirs: [dir] }).getManifest('library/app', 'latest');
  });

  it('pulls through a hosts.toml mirror first and pushes to the server', async () => {
    const mirror = await startRegistry();
    const server = await startRegistry();
    const content = Buffer.from('only on the server');
    mirror.addManifest('library/app', 'latest', MediaType.ociManifest, sampleManifest);
    const digest = server.addBlob(content);
    const dir = await certsDir('registry.test', {
      'hosts.toml': [
        `server = "http://${server.host}"`,
        '',
        `[host."http://${mirror.host}"]`,
        '  capabilities = ["pull", "resolve"]',
        '  [host."http://' + mirror.host + '".header]',
        '    x-mirror-key = "k1"',
      ].join('\n'),
    });
    const client = clientFor('registry.test', { certsDirs: [dir] });

    await client.getManifest('library/app', 'latest');
    assert.equal(server.requests.length, 0);
    assert.equal(mirror.requests.length, 1);
    assert.equal(mirror.requests[0].headers['x-mirror-key'], 'k1');

    const blob = await client.fetchBlob('library/app', { digest, size: content.length });
    assert.equal(await text(blob.stream), content.toString());
    assert.equal(mirror.requests.length, 2, 'the mirror was asked first');

    await client.putManifest('library/app', 'v2', MediaType.ociManifest, sampleManifest);
    assert.equal(mirror.requests.length, 2);
    assert.equal(server.requests.at(-1)?.method, 'PUT');
  });

  it('refuses a Docker-style client certificate without its key', async () => {
    const dir = await certsDir('127.0.0.1:1', { 'client.cert': await pkiFile('client.crt') });
    await assert.rejects(clientFor('127.0.0.1:1', { certsDirs: [dir] }).ping(), isError('invalid-argument', /missing key .*client\.key for client certificate/));
  });

  it('reports an invalid hosts.toml', async () => {
    const dir = await certsDir('registry.test', { 'hosts.toml': 'skip_verify = "yes"\n' });
    await assert.rejects(clientFor('registry.test', { certsDirs: [dir] }).ping(), isError('invalid-argument', /hosts\.toml: skip_verify: /));
  });
});

describe('registry endpoints', () => {
  const options = { certsDirs: [], insecureRegistries: [] };

  it('uses verified HTTPS for ordinary hosts and Docker Hub’s API host', async () => {
    const [hub, ...rest] = await registryEndpoints('docker.io', options);
    assert.equal(rest.length, 0);
    assert.equal(hub.base.href, 'https://registry-1.docker.io/v2');
    assert.equal(hub.tls.skipVerify, false);
    assert.equal(hub.credentialsHost, 'docker.io');
    assert.equal((await registryEndpoints('ghcr.io', options)).length, 1);
  });

  it('tries unverified HTTPS, then HTTP, for insecure hosts', async () => {
    for (const [host, insecureRegistries] of [
      ['registry.lan:5000', ['registry.lan:5000']],
      ['10.1.2.3:5000', ['10.0.0.0/8']],
      ['127.0.0.5:5000', ['127.0.0.5:5000']],
    ] as const) {
      const endpoints = await registryEndpoints(host, { certsDirs: [], insecureRegistries });
      assert.deepEqual(
        endpoints.map((endpoint) => [endpoint.base.href, endpoint.tls.skipVerify, endpoint.insecureHttps, endpoint.localHttps]),
        [
          [`https://${host}/v2`, true, true, false],
          [`http://${host}/v2`, false, false, false],
        ],
        host,
      );
    }
  });

  it('tries verified HTTPS, then HTTP, for local hosts', async () => {
    for (const host of ['localhost:5000', '127.0.0.5:5000', '[::1]:5000']) {
      const endpoints = await registryEndpoints(host, { certsDirs: [], insecureRegistries: [] });
      assert.deepEqual(
        endpoints.map((endpoint) => [endpoint.base.href, endpoint.tls.skipVerify, endpoint.insecureHttps, endpoint.localHttps]),
        [
          [`https://${host}/v2`, false, false, true],
          [`http://${host}/v2`, false, false, false],
        ],
        host,
      );
    }
  });

  it('recognises local and insecure hosts', () => {
    assert.equal(isLocalHost('localhost'), true);
    assert.equal(isLocalHost('127.255.0.1:80'), true);
    assert.equal(isLocalHost('[::1]:5000'), true);
    assert.equal(isLocalHost('128.0.0.1'), false);
    assert.equal(isLocalHost('localhost.example.com'), false);
    assert.equal(isInsecureRegistry('registry.lan:5000', ['registry.lan']), false);
    assert.equal(isInsecureRegistry('Registry.LAN:5000', ['registry.lan:5000']), true);
    assert.equal(isInsecureRegistry('192.168.1.9', ['192.168.0.0/16']), true);
    assert.equal(isInsecureRegistry('172.16.0.1:5000', ['192.168.0.0/16']), false);
    assert.equal(isInsecureRegistry('[fd00::1]:5000', ['fd00::/8']), true);
  });

  it('reads Docker-style CA files and mirror paths from certs.d', async () => {
    const dir = await mkdtemp(path.join(root, 'certs.d-'));
    await mkdir(path.join(dir, 'one.test'));
    await writeFile(path.join(dir, 'one.test', 'a.crt'), 'CA A');
    await writeFile(path.join(dir, 'one.test', 'b.crt'), 'CA B');
    const [endpoint] = await registryEndpoints('one.test', { certsDirs: [dir], insecureRegistries: [] });
    assert.deepEqual(endpoint.tls.ca.map(String), ['CA A', 'CA B']);

    await mkdir(path.join(dir, 'two.test'));
    await writeFile(
      path.join(dir, 'two.test', 'hosts.toml'),
      ['[host."https://mirror.test/prefix"]', '[host."mirror2.test:8443/v2/custom"]', '  override_path = true', '  capabilities = ["pull"]'].join('\n'),
    );
    const endpoints = await registryEndpoints('two.test', { certsDirs: [dir], insecureRegistries: [] });
    assert.deepEqual(
      endpoints.map((each) => [each.base.href, each.mirror, [...each.capabilities].sort().join(',')]),
      [
        ['https://mirror.test/prefix/v2', true, 'pull,push,resolve'],
        ['https://mirror2.test:8443/v2/custom', true, 'pull'],
        ['https://two.test/v2', false, 'pull,push,resolve'],
      ],
    );
  });
});

describe('credentials', () => {
  let helperState: string;
  let originalPath: string | undefined;

  before(async () => {
    const bin = path.join(root, 'bin');
    await mkdir(bin);
    helperState = path.join(root, 'helper-state');
    const script = [
      '#!/bin/sh',
      'input=$(cat)',
      'case "$1" in',
      '  get)',
      '    case "$input" in',
      '      *nobody*) echo "credentials not found in native keychain"; exit 1 ;;',
      '      *token*) printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh-me"}\' "$input" ;;',
      '      *broken*) echo "helper exploded" >&2; exit 3 ;;',
      '      *) printf \'{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}\' "$input" ;;',
      '    esac ;;',
      '  store) printf \'%s\' "$input" > "$BERTH_TEST_HELPER_STATE.store" ;;',
      '  erase) printf \'%s\' "$input" > "$BERTH_TEST_HELPER_STATE.erase" ;;',
      'esac',
    ].join('\n');
    await writeFile(path.join(bin, 'docker-credential-test'), `${script}\n`);
    await chmod(path.join(bin, 'docker-credential-test'), 0o755);
    originalPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${originalPath ?? ''}`;
    process.env.BERTH_TEST_HELPER_STATE = helperState;
  });

  after(() => {
    process.env.PATH = originalPath;
    delete process.env.BERTH_TEST_HELPER_STATE;
  });

  it('files Docker Hub under its index address', () => {
    assert.equal(credentialsKey('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(credentialsKey('index.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(credentialsKey('ghcr.io'), 'ghcr.io');
  });

  it('reads inline auths in their various spellings', async () => {
    const dir = await configDir({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub-user:hub:pass').toString('base64') },
        'https://registry.example.com/v2/': { username: 'u', password: 'p' },
        'token.example': { auth: '', identitytoken: 'idt' },
        'bad.example': { auth: Buffer.from('no-colon').toString('base64') },
      },
    });
    assert.deepEqual(await getCredentials('docker.io', dir), { username: 'hub-user', password: 'hub:pass', identityToken: undefined });
    assert.deepEqual(await getCredentials('registry.example.com', dir), { username: 'u', password: 'p', identityToken: undefined });
    assert.deepEqual(await getCredentials('token.example', dir), { username: undefined, password: undefined, identityToken: 'idt' });
    assert.equal(await getCredentials('other.example', dir), undefined);
    assert.equal(await getCredentials('anything', path.join(root, 'no-such-dir')), undefined);
    await assert.rejects(getCredentials('bad.example', dir), isError('invalid-argument', /not base64 of user:password/));
  });

  it('refuses a config.json that is not JSON', async () => {
    const dir = await mkdtemp(path.join(root, 'config-'));
    await writeFile(path.join(dir, 'config.json'), '{ nope');
    await assert.rejects(getCredentials('x', dir), isError('invalid-argument', /config\.json: invalid JSON/));
  });

  it('asks credHelpers and credsStore programs', async () => {
    const helpers = await configDir({ credHelpers: { 'helped.example': 'test', 'token.example': 'test', 'nobody.example': 'test' }, auths: { 'helped.example': { auth: 'ignored' } } });
    assert.deepEqual(await getCredentials('helped.example', helpers), { username: USER, password: PASSWORD });
    assert.deepEqual(await getCredentials('token.example', helpers), { identityToken: REFRESH_TOKEN });
    assert.equal(await getCredentials('nobody.example', helpers), undefined);

    const store = await configDir({ credsStore: 'test' });
    assert.deepEqual(await getCredentials('docker.io', store), { username: USER, password: PASSWORD });
    await assert.rejects(getCredentials('broken.example', store), isError('failed-precondition', /docker-credential-test get failed: helper exploded/));

    const missing = await configDir({ credsStore: 'absent-helper' });
    await assert.rejects(getCredentials('x', missing), isError('failed-precondition', /docker-credential-absent-helper is not installed or not in PATH/));
  });

  it('stores and erases through the helper', async () => {
    const dir = await configDir({ credsStore: 'test' });
    await storeCredentials('docker.io', 'bob', 'pw', dir);
    assert.deepEqual(JSON.parse(await readFile(`${helperState}.store`, 'utf8')), { ServerURL: 'https://index.docker.io/v1/', Username: 'bob', Secret: 'pw' });
    assert.equal(await eraseCredentials('registry.example.com', dir), true);
    assert.equal(await readFile(`${helperState}.erase`, 'utf8'), 'registry.example.com');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')), { credsStore: 'test' });
  });

  it('stores inline with mode 0600, keeping other settings, and erases', async () => {
    const dir = await configDir({ auths: { 'https://registry.example.com': { auth: 'b2xkOm9sZA==' } }, psFormat: 'table {{.ID}}' });
    await storeCredentials('registry.example.com', 'bob', 'pw', dir);
    const file = path.join(dir, 'config.json');
    const written = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(written, { auths: { 'registry.example.com': { auth: Buffer.from('bob:pw').toString('base64') } }, psFormat: 'table {{.ID}}' });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['config.json']);
    assert.deepEqual(await getCredentials('registry.example.com', dir), { username: 'bob', password: 'pw', identityToken: undefined });

    assert.equal(await eraseCredentials('https://registry.example.com/', dir), true);
    assert.equal(await eraseCredentials('registry.example.com', dir), false);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { auths: {}, psFormat: 'table {{.ID}}' });
  });

  it('creates the config directory and writes through a symbolic link', async () => {
    const fresh = path.join(root, 'fresh', '.docker');
    await storeCredentials('ghcr.io', 'u', 'p', fresh);
    assert.equal((await stat(fresh)).mode & 0o777, 0o700);

    const dir = await mkdtemp(path.join(root, 'config-'));
    const target = path.join(dir, 'real-config.json');
    await writeFile(target, '{}');
    await symlink(target, path.join(dir, 'config.json'));
    await storeCredentials('ghcr.io', 'u', 'p', dir);
    assert.ok((await lstat(path.join(dir, 'config.json'))).isSymbolicLink());
    assert.deepEqual(JSON.parse(await readFile(target, 'utf8')).auths, { 'ghcr.io': { auth: Buffer.from('u:p').toString('base64') } });
  });

  it('lets the registry client use a helper’s identity token', async () => {
    const registry = await startRegistry();
    registry.auth = 'bearer';
    registry.privateRepos.add('team/private');
    registry.addManifest('team/private', 'v1', MediaType.ociManifest, sampleManifest);
    const dir = await configDir({ credHelpers: { [registry.host]: 'test' } });
    await clientFor(registry.host, { dockerConfigDir: dir }).getManifest('team/private', 'v1');
    assert.equal(registry.tokenRequests[0].authorization, basic(USER, PASSWORD));
  });
});

describe('registry error mapping', () => {
  const context = { method: 'GET', url: 'https://registry.example.com/v2/', registry: 'registry.example.com', subject: 'registry registry.example.com' };

  it('reads errors[] and the shapes token servers use', () => {
    assert.deepEqual(parseErrorBody(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[1]}]}'), [
      { code: 'UNAUTHORIZED', message: 'authentication required', detail: [1] },
    ]);
    assert.deepEqual(parseErrorBody(401, '{"details":"incorrect username or password"}'), [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }]);
    assert.deepEqual(parseErrorBody(400, '{"error":"invalid_request","error_description":"bad scope"}'), [{ code: 'UNKNOWN', message: 'bad scope' }]);
    assert.deepEqual(parseErrorBody(404, '404 page not found\n'), [{ code: 'UNKNOWN', message: '404 page not found' }]);
    assert.deepEqual(parseErrorBody(502, '<html><body>Bad gateway</body></html>'), []);
  });

  it('maps statuses to categories', () => {
    const cases: [number, string][] = [
      [401, 'unauthorized'],
      [403, 'unauthorized'],
      [404, 'not-found'],
      [405, 'not-implemented'],
      [429, 'unavailable'],
      [500, 'unavailable'],
      [400, 'invalid-argument'],
    ];
    for (const [status, category] of cases) assert.equal(responseError(context, status, '').category, category, String(status));
    assert.equal(responseError(context, 404, '').message, 'registry registry.example.com not found: not found');
    assert.equal(responseError({ ...context, notFoundCode: 'MANIFEST_UNKNOWN' }, 404, '').message, 'registry registry.example.com not found: manifest unknown');
    assert.equal(responseError({ ...context, registry: 'docker.io' }, 401, '').message, 'registry registry.example.com: unauthorized: authentication required; run `berth login`');
  });

  it('explains network and TLS failures', () => {
    const failure = (code: string, message = code): Error => Object.assign(new Error(message), { code });
    assert.match(transportError(context, failure('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number')).message, /answered an HTTPS request with plain HTTP; .*--insecure-registry registry\.example\.com/);
    assert.match(transportError(context, failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')).message, /cannot verify the TLS certificate of registry registry\.example\.com: unable to verify/);
    assert.match(transportError(context, failure('ENOTFOUND')).message, /cannot resolve the address of registry registry\.example\.com/);
    const wrapped = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: failure('ECONNREFUSED') });
    assert.match(transportError(context, wrapped).message, /^cannot connect to registry registry\.example\.com: connection refused$/);
    const aggregate = new AggregateError([failure('ECONNREFUSED')], 'connect failed');
    const mapped = transportError(context, aggregate);
    assert.equal(mapped.category, 'unavailable');
    assert.equal(mapped.status, undefined);
    assert.match(mapped.message, /connection refused/);
  });

  it('parses WWW-Authenticate challenges', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
    assert.deepEqual(parseChallenges(['Basic realm="x \\"quoted\\""', 'Bearer realm=https://t,error=insufficient_scope']), [
      { scheme: 'basic', params: { realm: 'x "quoted"' } },
      { scheme: 'bearer', params: { realm: 'https://t', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm="b"').map((challenge) => challenge.scheme), ['basic', 'bearer']);
  });
});
