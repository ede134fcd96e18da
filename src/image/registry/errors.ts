// The one place where registry answers and network failures become BerthErrors: HTTP status
// to category, the registry's errors[] to message text, socket and TLS codes to hints.

import { STATUS_CODES } from 'node:http';
import { BerthError, type ErrorCategory } from '../../errors.js';
import { DEFAULT_DOMAIN } from '../reference.js';

/** One entry of the `errors` array of the distribution API. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message?: string;
  readonly detail?: unknown;
}

export interface RequestContext {
  readonly method: string;
  readonly url: string;
  /** the registry as the user named it (`docker.io`, `127.0.0.1:5000`), for hints */
  readonly registry: string;
  /** what the request was about: `manifest for docker.io/library/busybox:nope` */
  readonly subject: string;
  /** the error code a 404 without a body stands for, e.g. MANIFEST_UNKNOWN */
  readonly notFoundCode?: string;
}

/** A failed registry request; `method` and `url` are for debug output, not for the message. */
export class RegistryError extends BerthError {
  readonly method: string;
  readonly url: string;
  /** undefined when no HTTP answer came (connection, DNS or TLS failure) */
  readonly status?: number;
  readonly errors: readonly RegistryErrorEntry[];
  /** what the registry said, without subject or hint: `unauthorized: authentication required` */
  readonly reason: string;

  constructor(
    category: ErrorCategory,
    message: string,
    context: RequestContext,
    details: { status?: number; errors?: readonly RegistryErrorEntry[]; reason?: string; cause?: unknown },
  ) {
    super(category, message, { cause: details.cause });
    this.name = 'RegistryError';
    this.method = context.method;
    this.url = context.url;
    this.status = details.status;
    this.errors = details.errors ?? [];
    this.reason = details.reason ?? message;
  }
}

export function isTransportError(error: unknown): error is RegistryError {
  return error instanceof RegistryError && error.status === undefined;
}

/** The command that stores credentials for `registry`, for hints. */
function loginCommand(registry: string): string {
  return registry === DEFAULT_DOMAIN ? 'berth login' : `berth login ${registry}`;
}

/**
 * Reads an error body. Registries send `{"errors":[{code,message,detail}]}`; token servers
 * often send `{"details": "..."}` or OAuth's `{"error": ..., "error_description": ...}` instead.
 */
export function parseErrorBody(status: number, body: string): RegistryErrorEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim();
    return text && text.length <= 200 && !text.includes('\n') && !text.startsWith('<') ? [{ code: defaultCode(status), message: text }] : [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const fields = parsed as Record<string, unknown>;
  if (Array.isArray(fields.errors)) {
    return fields.errors
      .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null && typeof entry.code === 'string')
      .map((entry) => ({
        code: entry.code as string,
        message: typeof entry.message === 'string' && entry.message ? entry.message : undefined,
        detail: entry.detail,
      }));
  }
  const message = [fields.details, fields.error_description, fields.message, fields.error].find((value) => typeof value === 'string' && value);
  return typeof message === 'string' ? [{ code: defaultCode(status), message }] : [];
}

export function responseError(context: RequestContext, status: number, body: string): RegistryError {
  const errors = parseErrorBody(status, body);
  const shown = errors.length > 0 ? errors : [defaultEntry(status, context)];
  const details = shown.map(formatEntry).join('; ');
  const category = statusCategory(status);
  let message: string;
  if (status === 404) {
    message = `${context.subject} not found: ${details}`;
  } else if (category === 'unauthorized') {
    message = `${context.subject}: ${details}; run \`${loginCommand(context.registry)}\``;
  } else {
    message = `${context.subject}: ${details}`;
  }
  return new RegistryError(category, message, context, { status, errors, reason: details });
}

const HTTP_SPOKEN_TO_HTTPS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A TLS failure that means "this certificate is not trusted", as opposed to "this server speaks no TLS". */
export function isUntrustedCertificate(error: unknown): boolean {
  const code = errorCode(error instanceof RegistryError ? error.cause : error);
  return code !== undefined && UNTRUSTED_CERTIFICATE.has(code);
}

/** For a request that got no HTTP answer. */
export function transportError(context: RequestContext, error: unknown): RegistryError {
  const code = errorCode(error);
  const reason = errorMessage(error);
  const host = hostOf(context.url);
  const insecureHint = `--insecure-registry ${context.registry}`;
  let message: string;
  if (code === 'ECONNREFUSED') {
    message = `cannot connect to registry ${host}: connection refused`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    message = `cannot resolve the address of registry ${host}`;
  } else if (code !== undefined && HTTP_SPOKEN_TO_HTTPS.has(code)) {
    message = `registry ${host} answered an HTTPS request with plain HTTP; if it is meant to be reached over HTTP, pass ${insecureHint}`;
  } else if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code)) {
    message = `cannot verify the TLS certificate of registry ${host}: ${reason}; put its CA certificate in /etc/docker/certs.d/${host}/ca.crt or pass ${insecureHint}`;
  } else if (code !== undefined && code.startsWith('ERR_SSL_')) {
    message = `TLS handshake with registry ${host} failed: ${reason}`;
  } else if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    message = `registry ${host} did not answer in time`;
  } else {
    message = `${context.method} request to registry ${host} failed: ${reason}`;
  }
  return new RegistryError('unavailable', message, context, { cause: error });
}

/** The `code` of an error or of what it wraps (undici wraps socket errors; happy eyeballs aggregates them). */
export function errorCode(error: unknown): string | undefined {
  let generic: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') {
      // undici's generic socket error may carry the system error that says more
      if (code !== 'UND_ERR_SOCKET') return code;
      generic ??= code;
    }
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return generic;
}

function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}

function statusCategory(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 405) return 'not-implemented';
  if (status === 408 || status === 429 || status >= 500) return 'unavailable';
  if (status === 409) return 'failed-precondition';
  return 'invalid-argument';
}

function defaultCode(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'DENIED';
    case 429:
      return 'TOOMANYREQUESTS';
    default:
      return 'UNKNOWN';
  }
}

function defaultEntry(status: number, context: RequestContext): RegistryErrorEntry {
  switch (status) {
    case 401:
      return { code: 'UNAUTHORIZED', message: 'authentication required' };
    case 403:
      return { code: 'DENIED', message: 'requested access to the resource is denied' };
    case 404:
      return { code: context.notFoundCode ?? 'NOT_FOUND' };
    case 429:
      return { code: 'TOOMANYREQUESTS', message: 'too many requests' };
    default:
      return { code: 'UNKNOWN', message: `${status} ${STATUS_CODES[status] ?? 'unexpected status'}` };
  }
}

/** `MANIFEST_UNKNOWN` + `manifest unknown` reads as `manifest unknown: manifest unknown`, as Docker shows it. */
function formatEntry(entry: RegistryErrorEntry): string {
  const code = entry.code.toLowerCase().replaceAll('_', ' ');
  return entry.message ? `${code}: ${entry.message}` : code;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
