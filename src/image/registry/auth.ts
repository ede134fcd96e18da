// The registry authentication handshake: a 401 carries `WWW-Authenticate`, which asks either
// for Basic credentials or for a Bearer token from a token server (the "realm"). Tokens are
// asked for anonymously, with Basic credentials (GET), or with an identity token as an OAuth
// refresh token (POST), and kept per realm, service and scope until they expire.

import type { Dispatcher } from 'undici';
import * as z from 'zod/mini';
import { BerthError } from '../../errors.js';
import type { Credentials } from './credentials.js';
import { responseError } from './errors.js';
import { readSmallBody, send } from './http.js';

export interface Challenge {
  /** lowercase: `bearer`, `basic` */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Where requests go and who they are for: one per registry endpoint (origin). */
export interface AuthTarget {
  readonly origin: string;
  /** the registry as named in references, for credentials and hints */
  readonly registry: string;
  readonly credentials: () => Promise<Credentials | undefined>;
}

export interface AuthenticatorOptions {
  readonly userAgent: string;
  /** the dispatcher for a token server URL (it may be the registry itself) */
  readonly dispatcherFor: (url: URL) => Promise<Dispatcher>;
}

const tokenAnswerSchema = z.looseObject({
  token: z.optional(z.string()),
  access_token: z.optional(z.string()),
  expires_in: z.optional(z.number()),
});

/** The token lifetime the distribution spec says to assume when the server gives none. */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renewing a little early keeps a token from expiring between the check and the request. */
const EXPIRY_MARGIN_MS = 5_000;
const CLIENT_ID = 'berth';

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export class Authenticator {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(private readonly options: AuthenticatorOptions) {}

  /**
   * The Authorization header for a request needing `scopes`, once the origin is known to want
   * authentication; undefined before its first 401, or when Basic is wanted and there are no
   * credentials.
   */
  async authorization(target: AuthTarget, scopes: readonly string[]): Promise<string | undefined> {
    const challenge = this.challenges.get(target.origin);
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const credentials = await target.credentials();
      if (credentials?.username === undefined || credentials.password === undefined) return undefined;
      return `Basic ${basic(credentials.username, credentials.password)}`;
    }
    return `Bearer ${await this.token(target, challenge, mergeScopes(scopes))}`;
  }

  /**
   * Takes a 401's challenge into account, forgetting the token the registry refused (`refused`
   * is the Authorization header the request carried). Returns the header to retry with, or
   * undefined when there is nothing to retry with.
   */
  async challenged(
    target: AuthTarget,
    scopes: readonly string[],
    wwwAuthenticate: string | string[] | undefined,
    refused: string | undefined,
  ): Promise<string | undefined> {
    const challenges = parseChallenges(wwwAuthenticate);
    const challenge = challenges.find((each) => each.scheme === 'bearer' && each.params.realm) ?? challenges.find((each) => each.scheme === 'basic');
    if (!challenge) return undefined;
    this.challenges.set(target.origin, challenge);
    if (refused !== undefined) {
      // Only the refused token goes: concurrent requests may already hold a newer one.
      await Promise.all(
        [...this.tokens].map(async ([key, entry]) => {
          const cached = await entry.catch(() => undefined);
          if (cached && `Bearer ${cached.token}` === refused && this.tokens.get(key) === entry) this.tokens.delete(key);
        }),
      );
    }
    // The challenge may name the scope the registry wants (e.g. after insufficient_scope).
    const asked = challenge.params.scope ? challenge.params.scope.split(' ') : [];
    return this.authorization(target, [...scopes, ...asked]);
  }

  private async token(target: AuthTarget, challenge: Challenge, scopes: readonly string[]): Promise<string> {
    const key = `${target.origin} ${challenge.params.realm} ${challenge.params.service ?? ''} ${scopes.join(' ')}`;
    const existing = this.tokens.get(key);
    if (existing) {
      // Concurrent requests share one token request, and its failure.
      const entry = await existing;
      if (entry.expiresAt > Date.now()) return entry.token;
      if (this.tokens.get(key) === existing) this.tokens.delete(key);
    }
    const request = this.fetchToken(target, challenge, scopes);
    this.tokens.set(key, request);
    request.catch(() => {
      if (this.tokens.get(key) === request) this.tokens.delete(key);
    });
    return (await request).token;
  }

  private async fetchToken(target: AuthTarget, challenge: Challenge, scopes: readonly string[]): Promise<CachedToken> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      throw new BerthError('unavailable', `registry ${target.registry} named an invalid token server "${challenge.params.realm}"`);
    }
    const credentials = await target.credentials();
    const service = challenge.params.service;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept: 'application/json' };
    const subject = `authenticating with ${target.registry}`;
    let method: 'GET' | 'POST' = 'GET';
    let body: Buffer | undefined;
    const url = new URL(realm);
    if (credentials?.identityToken) {
      method = 'POST';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: CLIENT_ID });
      if (service) form.set('service', service);
      for (const scope of scopes) form.append('scope', scope);
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (credentials?.username !== undefined && credentials.password !== undefined) {
        url.searchParams.set('account', credentials.username);
        headers.authorization = `Basic ${basic(credentials.username, credentials.password)}`;
      }
    }
    const context = { method, url: url.href, registry: target.registry, subject };
    const response = await send({ url, method, headers, body, dispatcher: await this.options.dispatcherFor(url) }, context);
    const text = (await readSmallBody(response)).toString('utf8');
    if (response.status !== 200) throw responseError(context, response.status, text);
    let answer: z.infer<typeof tokenAnswerSchema>;
    try {
      answer = tokenAnswerSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new BerthError('unavailable', `${subject}: the token server's answer is not valid JSON`, { cause: error });
    }
    const token = answer.token || answer.access_token;
    if (!token) throw new BerthError('unavailable', `${subject}: the token server's answer holds no token`);
    const seconds = answer.expires_in && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS };
  }
}

/**
 * Reads `WWW-Authenticate` (RFC 7235): challenges separated by commas, each a scheme followed
 * by `name=value` or `name="quoted value"` parameters, also separated by commas.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const challenges: Challenge[] = [];
  for (const value of values) {
    const tokenPattern = /\s*,?\s*([!#$%&'*+\-.^`|~\w]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/y;
    let current: { scheme: string; params: Record<string, string> } | undefined;
    for (let match = tokenPattern.exec(value); match; match = tokenPattern.exec(value)) {
      const [, name, quoted, plain] = match;
      if (quoted === undefined && plain === undefined) {
        current = { scheme: name.toLowerCase(), params: {} };
        challenges.push(current);
      } else if (current) {
        current.params[name.toLowerCase()] = quoted === undefined ? plain : quoted.replace(/\\(.)/g, '$1');
      }
    }
  }
  return challenges;
}

/**
 * One scope per resource with the union of its actions, sorted: `repository:a:pull` and
 * `repository:a:pull,push` ask for the same token as `repository:a:pull,push` alone.
 */
function mergeScopes(scopes: readonly string[]): string[] {
  const actions = new Map<string, Set<string>>();
  for (const scope of scopes) {
    const colon = scope.lastIndexOf(':');
    const resource = colon === -1 ? scope : scope.slice(0, colon);
    const wanted = actions.get(resource) ?? new Set<string>();
    if (colon !== -1) for (const action of scope.slice(colon + 1).split(',')) if (action) wanted.add(action);
    actions.set(resource, wanted);
  }
  return [...actions].map(([resource, wanted]) => (wanted.size === 0 ? resource : `${resource}:${[...wanted].sort().join(',')}`)).sort();
}

function basic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
