// A client for one registry's distribution API (`/v2/`): manifests and blobs in both
// directions, through the endpoints hosts.ts finds (mirrors, insecure fallbacks), with the
// authentication of auth.ts and the retries of http.ts.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { BerthError } from '../../errors.js';
import { parseManifestDocument, type ManifestDocument } from '../manifest.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { digestProblem } from '../reference.js';
import { Authenticator, type AuthTarget } from './auth.js';
import { getCredentials, type Credentials } from './credentials.js';
import { isTransportError, isUntrustedCertificate, RegistryError } from './errors.js';
import { DEFAULT_CERTS_DIRS, registryEndpoints, type Capability, type EndpointConfig, type TlsSettings } from './hosts.js';
import { abandon, discard, expectStatus, header, readLimited, send, type HttpRequest, type HttpResponse } from './http.js';
import { speaksTls } from './tls-probe.js';

export interface RegistryClientOptions {
  readonly userAgent: string;
  /** `--insecure-registry` values: `host[:port]` or CIDR ranges */
  readonly insecureRegistries?: readonly string[];
  /** where config.json lives; default `$DOCKER_CONFIG` or `~/.docker` */
  readonly dockerConfigDir?: string;
  readonly certsDirs?: readonly string[];
  /** credentials to use instead of the stored ones, as `berth login` checks them before storing them */
  readonly credentials?: Credentials;
}

export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
  readonly document: ManifestDocument;
}

export interface ManifestHead {
  readonly mediaType?: string;
  /** from Docker-Content-Digest, which registries need not send */
  readonly digest?: string;
  readonly size?: number;
}

export interface FetchedBlob {
  /** the blob's bytes from `offset` when status is 206, from its start when 200 */
  readonly stream: Readable;
  readonly status: 200 | 206;
  /** the whole blob's size */
  readonly total: number;
}

/** Manifests are small documents; a larger answer is refused before it fills memory. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

interface Endpoint extends EndpointConfig {
  readonly dispatcher: Dispatcher;
  readonly auth: AuthTarget;
}

interface Exchange {
  readonly method: HttpRequest['method'];
  readonly url: URL;
  readonly scopes: readonly string[];
  readonly subject: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | Readable;
  readonly notFoundCode?: string;
  readonly followRedirects?: boolean;
}

export class RegistryClient {
  private endpoints?: Promise<Endpoint[]>;
  /** unverified HTTPS endpoints that failed to connect while HTTP to the same host worked */
  private readonly skipped = new Set<Endpoint>();
  /** for endpoints tried over HTTPS before HTTP: whether the server speaks TLS at all */
  private readonly tlsProbes = new Map<Endpoint, Promise<boolean | undefined>>();
  private readonly agents: Agent[] = [];
  private readonly credentialLookups = new Map<string, Promise<Credentials | undefined>>();
  private readonly authenticator: Authenticator;
  private foreignAgent?: Promise<Agent>;

  /** `registry` is a reference's domain: `docker.io`, `127.0.0.1:5000`. */
  constructor(
    readonly registry: string,
    private readonly options: RegistryClientOptions,
  ) {
    this.authenticator = new Authenticator({
      userAgent: options.userAgent,
      dispatcherFor: (url) => this.dispatcherFor(url),
    });
  }

  /** Checks that the registry answers `/v2/`, authenticating if it asks to (so bad credentials fail here). */
  async ping(): Promise<void> {
    await this.withEndpoints(
      (endpoint) => !endpoint.mirror,
      async (endpoint) => {
        const response = await this.exchange(endpoint, { method: 'GET', url: new URL(`${endpoint.base.href}/`), scopes: [], subject: `registry ${this.registry}` });
        await expectStatus(response, [200]);
        await discard(response);
      },
    );
  }

  /**
   * Fetches a manifest or index by tag or digest and parses it. A digest reference is checked
   * against the bytes; for a tag the digest is computed from them.
   */
  async getManifest(repo: string, reference: string, accept: readonly string[] = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const byDigest = isDigest(reference);
    const subject = this.manifestSubject(repo, reference);
    return this.withEndpoints(can(byDigest ? 'pull' : 'resolve'), async (endpoint) => {
      const response = await this.exchange(endpoint, {
        method: 'GET',
        url: this.url(endpoint, `${repo}/manifests/${reference}`),
        headers: { accept: accept.join(', ') },
        scopes: pullScopes(repo),
        subject,
        notFoundCode: 'MANIFEST_UNKNOWN',
        followRedirects: true,
      });
      await expectStatus(response, [200]);
      const bytes = await readLimited(
        response,
        MAX_MANIFEST_BYTES,
        () => new BerthError('failed-precondition', `${subject} is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB; berth does not accept manifests that large`),
      );
      const digest = computeDigest(bytes, byDigest ? reference.slice(0, reference.indexOf(':')) : 'sha256');
      if (byDigest && digest !== reference) {
        throw new BerthError('failed-precondition', `${subject}: the registry sent content with digest ${digest}`);
      }
      const document = parseManifestDocument(bytes, header(response, 'content-type'));
      return { mediaType: document.mediaType, digest, bytes, document };
    });
  }

  async headManifest(repo: string, reference: string, accept: readonly string[] = MANIFEST_ACCEPT): Promise<ManifestHead> {
    return this.withEndpoints(can(isDigest(reference) ? 'pull' : 'resolve'), async (endpoint) => {
      const response = await this.exchange(endpoint, {
        method: 'HEAD',
        url: this.url(endpoint, `${repo}/manifests/${reference}`),
        headers: { accept: accept.join(', ') },
        scopes: pullScopes(repo),
        subject: this.manifestSubject(repo, reference),
        notFoundCode: 'MANIFEST_UNKNOWN',
        followRedirects: true,
      });
      await expectStatus(response, [200]);
      await discard(response);
      const digest = header(response, 'docker-content-digest');
      const size = Number(header(response, 'content-length'));
      return {
        mediaType: header(response, 'content-type')?.split(';', 1)[0].trim() || undefined,
        digest: digest !== undefined && digestProblem(digest) === undefined ? digest : undefined,
        size: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
      };
    });
  }

  /**
   * Streams a blob, from `offset` when the registry honours the Range request (status 206),
   * else from the start (status 200). The caller verifies the digest as it stores the bytes.
   */
  async fetchBlob(repo: string, descriptor: BlobDescriptor, options: { offset?: number } = {}): Promise<FetchedBlob> {
    const offset = options.offset ?? 0;
    const subject = `blob ${descriptor.digest} of ${this.registry}/${repo}`;
    return this.withEndpoints(can('pull'), async (endpoint) => {
      const response = await this.exchange(endpoint, {
        method: 'GET',
        url: this.url(endpoint, `${repo}/blobs/${descriptor.digest}`),
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        scopes: pullScopes(repo),
        subject,
        notFoundCode: 'BLOB_UNKNOWN',
        followRedirects: true,
      });
      const partial = offset > 0 && response.status === 206;
      if (!partial) await expectStatus(response, [200]);
      const expected = partial ? descriptor.size - offset : descriptor.size;
      const length = header(response, 'content-length');
      const start = partial ? /^bytes (\d+)-/.exec(header(response, 'content-range') ?? '')?.[1] : undefined;
      if ((length !== undefined && Number(length) !== expected) || (partial && Number(start) !== offset)) {
        abandon(response);
        throw new BerthError('failed-precondition', `${subject}: the registry sent ${length ?? 'an unknown number of'} bytes from ${start ?? 0}, expected ${expected} from ${partial ? offset : 0}`);
      }
      return { stream: response.body, status: partial ? 206 : 200, total: descriptor.size };
    });
  }

  /** Whether the repository already has the blob (asked with push access, as a push asks first). */
  async blobExists(repo: string, digest: string): Promise<boolean> {
    return this.withEndpoints(can('push'), async (endpoint) => {
      const response = await this.exchange(endpoint, {
        method: 'HEAD',
        url: this.url(endpoint, `${repo}/blobs/${digest}`),
        scopes: pushScopes(repo),
        subject: `blob ${digest} of ${this.registry}/${repo}`,
        notFoundCode: 'BLOB_UNKNOWN',
        followRedirects: true,
      });
      await discard(response);
      if (response.status === 404) return false;
      await expectStatus(response, [200]);
      return true;
    });
  }

  /** Uploads a blob in one piece: POST opens the upload, PUT sends `content` and closes it. */
  async uploadBlob(repo: string, descriptor: BlobDescriptor, content: Readable): Promise<void> {
    const scopes = pushScopes(repo);
    const subject = `upload of blob ${descriptor.digest} to ${this.registry}/${repo}`;
    try {
      const { endpoint, location } = await this.withEndpoints(can('push'), async (endpoint) => {
        const response = await this.exchange(endpoint, { method: 'POST', url: this.url(endpoint, `${repo}/blobs/uploads/`), scopes, subject });
        await expectStatus(response, [202]);
        await discard(response);
        const target = header(response, 'location');
        if (!target) throw new BerthError('unavailable', `${subject}: the registry gave no upload location`);
        return { endpoint, location: new URL(target, response.context.url) };
      });
      location.searchParams.set('digest', descriptor.digest);
      const response = await this.exchange(endpoint, {
        method: 'PUT',
        url: location,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(descriptor.size) },
        body: content,
        scopes,
        subject,
      });
      await expectStatus(response, [201]);
      await discard(response);
    } finally {
      if (!content.readableEnded) content.destroy();
    }
  }

  /** Stores a manifest under a tag or its digest; returns its digest. */
  async putManifest(repo: string, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const subject = this.manifestSubject(repo, reference);
    const digest = computeDigest(bytes, 'sha256');
    if (isDigest(reference) && computeDigest(bytes, reference.slice(0, reference.indexOf(':'))) !== reference) {
      throw new BerthError('invalid-argument', `${subject}: the manifest's content does not have that digest`);
    }
    await this.withEndpoints(can('push'), async (endpoint) => {
      const response = await this.exchange(endpoint, {
        method: 'PUT',
        url: this.url(endpoint, `${repo}/manifests/${reference}`),
        headers: { 'content-type': mediaType },
        body: bytes,
        scopes: pushScopes(repo),
        subject,
      });
      await expectStatus(response, [201]);
      await discard(response);
    });
    return digest;
  }

  /** Closes the connections; streams still being read are cut. */
  async close(): Promise<void> {
    const foreign = await this.foreignAgent?.catch(() => undefined);
    await Promise.all([...this.agents, ...(foreign ? [foreign] : [])].map((agent) => agent.close()));
  }

  /**
   * Runs `attempt` on each endpoint that `accepts` in turn: a mirror's failure or an unverified
   * HTTPS endpoint's connection failure moves on to the next; any other failure is final.
   */
  private async withEndpoints<T>(accepts: (endpoint: Endpoint) => boolean, attempt: (endpoint: Endpoint) => Promise<T>): Promise<T> {
    const endpoints = (await this.endpointList()).filter((endpoint) => accepts(endpoint) && !this.skipped.has(endpoint));
    if (endpoints.length === 0) throw new BerthError('failed-precondition', `no configured endpoint of registry ${this.registry} allows this operation`);
    let insecureFailure: { endpoint: Endpoint; error: RegistryError } | undefined;
    let lastError: unknown;
    for (const endpoint of endpoints) {
      if ((endpoint.localHttps || endpoint.insecureHttps) && (await this.speaksTls(endpoint)) === false) {
        // a plain-HTTP server: straight to the HTTP endpoint that follows
        this.skipped.add(endpoint);
        continue;
      }
      try {
        const result = await attempt(endpoint);
        if (insecureFailure) this.skipped.add(insecureFailure.endpoint);
        return result;
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        lastError = error;
        const mayFallBack = isTransportError(error) && (endpoint.insecureHttps || (endpoint.localHttps && !isUntrustedCertificate(error)));
        if (mayFallBack) {
          insecureFailure = { endpoint, error };
        } else if (endpoint.mirror) {
          insecureFailure = undefined;
        } else {
          // When HTTP cannot connect either, what HTTPS said is the more telling error.
          throw insecureFailure && isTransportError(error) ? insecureFailure.error : error;
        }
      }
    }
    throw lastError;
  }

  private speaksTls(endpoint: Endpoint): Promise<boolean | undefined> {
    let probe = this.tlsProbes.get(endpoint);
    if (!probe) {
      probe = speaksTls(endpoint.base);
      this.tlsProbes.set(endpoint, probe);
    }
    return probe;
  }

  /**
   * One request on an endpoint: authenticates after a 401 (once, when the body can be sent
   * again) and follows redirects, sending credentials only back to the endpoint's own origin.
   */
  private async exchange(endpoint: Endpoint, exchange: Exchange): Promise<HttpResponse> {
    const replayable = exchange.body === undefined || Buffer.isBuffer(exchange.body);
    let url = exchange.url;
    let challengeAnswered = false;
    for (let redirects = 0; ; ) {
      const sameOrigin = url.origin === endpoint.base.origin;
      const headers: Record<string, string> = { ...endpoint.headers, 'user-agent': this.options.userAgent, ...exchange.headers };
      if (sameOrigin) {
        const authorization = await this.authenticator.authorization(endpoint.auth, exchange.scopes);
        if (authorization) headers.authorization = authorization;
      }
      const context = { method: exchange.method, url: url.href, registry: endpoint.credentialsHost, subject: exchange.subject, notFoundCode: exchange.notFoundCode };
      const dispatcher = sameOrigin ? endpoint.dispatcher : await this.foreignDispatcher();
      const response = await send({ url, method: exchange.method, headers, body: exchange.body, dispatcher }, context);

      if (response.status === 401 && sameOrigin && replayable && !challengeAnswered) {
        challengeAnswered = true;
        const retryWith = await this.authenticator
          .challenged(endpoint.auth, exchange.scopes, response.headers['www-authenticate'], headers.authorization)
          .catch(async (error: unknown) => {
            await discard(response);
            throw error;
          });
        if (retryWith !== undefined) {
          await discard(response);
          continue;
        }
      }
      const location = header(response, 'location');
      if (exchange.followRedirects && REDIRECT_STATUSES.has(response.status) && location) {
        await discard(response);
        redirects += 1;
        if (redirects > MAX_REDIRECTS) throw new BerthError('unavailable', `${exchange.subject}: more than ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        continue;
      }
      return response;
    }
  }

  private endpointList(): Promise<Endpoint[]> {
    this.endpoints ??= (async () => {
      const configs = await registryEndpoints(this.registry, {
        certsDirs: this.options.certsDirs ?? DEFAULT_CERTS_DIRS,
        insecureRegistries: this.options.insecureRegistries ?? [],
      });
      const trusted = await systemTrust();
      return configs.map((config) => ({
        ...config,
        dispatcher: this.agent(config.tls, trusted),
        auth: { origin: config.base.origin, registry: config.credentialsHost, credentials: () => this.credentials(config) },
      }));
    })();
    return this.endpoints;
  }

  private credentials(config: EndpointConfig): Promise<Credentials | undefined> {
    if (this.options.credentials && !config.mirror) return Promise.resolve(this.options.credentials);
    const host = config.credentialsHost;
    let lookup = this.credentialLookups.get(host);
    if (!lookup) {
      lookup = getCredentials(host, this.options.dockerConfigDir);
      this.credentialLookups.set(host, lookup);
    }
    return lookup;
  }

  /** A token server on an endpoint's origin is reached like the endpoint; any other host with default trust. */
  private async dispatcherFor(url: URL): Promise<Dispatcher> {
    const endpoint = (await this.endpointList()).find((candidate) => candidate.base.origin === url.origin);
    return endpoint?.dispatcher ?? this.foreignDispatcher();
  }

  private foreignDispatcher(): Promise<Agent> {
    this.foreignAgent ??= systemTrust().then((trusted) => this.agent({ ca: [], clientCertificates: [], skipVerify: false }, trusted));
    return this.foreignAgent;
  }

  private agent(settings: TlsSettings, systemBundle: string | undefined): Agent {
    const agent = new Agent({ connect: lazyTlsConnector(() => tlsOptions(settings, systemBundle)) });
    this.agents.push(agent);
    return agent;
  }

  private url(endpoint: Endpoint, path: string): URL {
    return new URL(`${endpoint.base.href}/${path}`);
  }

  private manifestSubject(repo: string, reference: string): string {
    return `manifest for ${this.registry}/${repo}${isDigest(reference) ? '@' : ':'}${reference}`;
  }
}

function can(capability: Capability): (endpoint: Endpoint) => boolean {
  return (endpoint) => endpoint.capabilities.has(capability);
}

function pullScopes(repo: string): string[] {
  return [`repository:${repo}:pull`];
}

function pushScopes(repo: string): string[] {
  return [`repository:${repo}:pull,push`];
}

/** Tags cannot contain `:`, digests always do; a digest must be one berth can verify. */
function isDigest(reference: string): boolean {
  if (!reference.includes(':')) return false;
  const problem = digestProblem(reference);
  if (problem) throw new BerthError('usage', `invalid reference format: "${reference}": ${problem}`);
  return true;
}

function computeDigest(bytes: Buffer, algorithm: string): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

let systemCAs: Promise<string | undefined> | undefined;

/** The distribution's CA bundle, trusted along with Node's built-in list when it exists. */
/**
 * Connects with one TLS context, made on the first HTTPS connection: given as `ca`, Node would
 * parse the ~300 trusted certificates again for every connection (~50 ms each here), and an
 * endpoint reached over plain HTTP needs none of it.
 */
function lazyTlsConnector(options: () => tls.ConnectionOptions): buildConnector.connector {
  let plain: buildConnector.connector | undefined;
  let secure: buildConnector.connector | undefined;
  return (connection, callback) => {
    if (connection.protocol === 'https:') (secure ??= buildConnector(options()))(connection, callback);
    else (plain ??= buildConnector({}))(connection, callback);
  };
}

function tlsOptions(settings: TlsSettings, systemBundle: string | undefined): tls.ConnectionOptions {
  // an endpoint that verifies nothing needs no certificates to verify with
  const extra = settings.skipVerify ? [] : [...(systemBundle === undefined ? [] : [systemBundle]), ...settings.ca.map((ca) => ca.toString('utf8'))];
  const secureContext = tls.createSecureContext({
    // Passing `ca` replaces Node's own list, so it is passed along with the additions.
    ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}),
    ...(settings.clientCertificates.length > 0
      ? { cert: settings.clientCertificates.map((pair) => pair.cert), key: settings.clientCertificates.map((pair) => pair.key) }
      : {}),
  });
  return { secureContext, rejectUnauthorized: !settings.skipVerify };
}

function systemTrust(): Promise<string | undefined> {
  systemCAs ??= readFile(SYSTEM_CA_BUNDLE, 'utf8').catch(() => undefined);
  return systemCAs;
}
