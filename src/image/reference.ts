// Image references as Docker reads them: `[domain/]path[:tag][@digest]`, normalised so that
// `busybox` means `docker.io/library/busybox:latest`. The grammar follows the distribution
// project's reference rules; the regular expressions below are written from that grammar.

import { BerthError } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const ALPHA_NUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6_HOST = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6_HOST})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const REMAINDER_RE = new RegExp(`^(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms registries use; any other algorithm is refused. */
const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export interface Reference {
  /** registry host, with port if any: `docker.io`, `127.0.0.1:5000` */
  readonly domain: string;
  /** repository path inside the registry: `library/busybox` */
  readonly path: string;
  /** `latest` when the input named neither a tag nor a digest */
  readonly tag?: string;
  readonly digest?: string;
  /** `domain/path` */
  readonly name: string;
  /** the name as Docker shows it: `busybox`, `user/app`, `127.0.0.1:5000/x` */
  readonly familiar: string;
  /** canonical form: `docker.io/library/busybox:latest` */
  toString(): string;
}

class ParsedReference implements Reference {
  readonly name: string;
  readonly familiar: string;

  constructor(
    readonly domain: string,
    readonly path: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined,
  ) {
    this.name = `${domain}/${path}`;
    this.familiar = familiarName(domain, path);
  }

  toString(): string {
    return `${this.name}${this.tag === undefined ? '' : `:${this.tag}`}${this.digest === undefined ? '' : `@${this.digest}`}`;
  }
}

/** Parses and normalises a reference the way `docker pull` does; a bad one is a usage error. */
export function parseReference(input: string): Reference {
  if (IDENTIFIER_RE.test(input)) {
    throw new BerthError('usage', `invalid repository name "${input}": cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDomain(input);
  const repository = remainder.split(/[:@]/, 1)[0];
  if (repository.toLowerCase() !== repository) {
    throw new BerthError('usage', `invalid reference format: repository name (${repository}) must be lowercase`);
  }
  const match = REMAINDER_RE.exec(remainder);
  if (!DOMAIN_RE.test(domain) || !match) throw invalidReference(input);

  const [, path, tag, digest] = match;
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidReference(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) throw invalidReference(input, problem);
  }
  return new ParsedReference(domain, path, tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest);
}

/** Why `value` is not a digest berth can verify, or undefined when it is one. */
export function digestProblem(value: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return `invalid digest "${value}"`;
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    return `${algorithm} digest must be ${length} lowercase hexadecimal characters`;
  }
  return undefined;
}

/** The host that serves a registry's API: Docker Hub's images live at `docker.io` but are served elsewhere. */
export function registryEndpointHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? DOCKER_HUB_ENDPOINT : domain;
}

/**
 * The first component is a registry host only if it looks like one (a dot, a port, `localhost`,
 * or uppercase, which a repository path cannot have); otherwise the name is on Docker Hub.
 */
function splitDomain(input: string): { domain: string; remainder: string } {
  const slash = input.indexOf('/');
  const first = slash === -1 ? '' : input.slice(0, slash);
  let domain: string;
  let remainder: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = input;
  } else {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    remainder = input.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  return { domain, remainder };
}

function familiarName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`;
  const official = path.startsWith(OFFICIAL_REPOSITORY_PREFIX) ? path.slice(OFFICIAL_REPOSITORY_PREFIX.length) : undefined;
  return official !== undefined && !official.includes('/') ? official : path;
}

function invalidReference(input: string, reason?: string): BerthError {
  return new BerthError('usage', `invalid reference format: "${input}"${reason ? `: ${reason}` : ''}`);
}
