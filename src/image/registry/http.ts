// One HTTP exchange with bounded retries, and bounded reading of small bodies. Everything that
// speaks to a registry or a token server goes through `send`.

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { setV8Flag } from '../../cli/v8-flags.js';
import { request, type Dispatcher } from 'undici';
import { BerthError } from '../../errors.js';
import { errorCode, responseError, transportError, type RequestContext } from './errors.js';

export interface HttpRequest {
  readonly url: URL;
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** a stream body cannot be sent twice, so such a request is never retried */
  readonly body?: Buffer | Readable;
  readonly dispatcher: Dispatcher;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Dispatcher.ResponseData['body'];
  readonly context: RequestContext;
}

// undici parses HTTP with llhttp compiled to WebAssembly, which V8 compiles twice: at once with
// Liftoff, then again with TurboFan in the background once it runs hot. That second compile cost
// ~0.15 s of CPU per command that talks to a registry (a pull's CPU is its speed on a small
// machine), for a parser that mostly skips over body bytes, where Liftoff's code does as well.
// Set before undici's first connection compiles the parser; berth runs no other WebAssembly.
setV8Flag('--liftoff-only');

const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 200;
const MAX_DELAY_MS = 10_000;
/** Error bodies and token answers are small; more than this is not worth reading. */
const SMALL_BODY_LIMIT = 1024 * 1024;
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Sends a request, retrying throttling, server errors and dropped connections with exponential
 * backoff (or the server's Retry-After). The last answer is returned whatever its status.
 */
export async function send(req: HttpRequest, context: RequestContext): Promise<HttpResponse> {
  const replayable = req.body === undefined || Buffer.isBuffer(req.body);
  for (let attempt = 1; ; attempt += 1) {
    const last = !replayable || attempt === MAX_ATTEMPTS;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(req.url, { method: req.method, headers: req.headers, body: req.body, dispatcher: req.dispatcher });
    } catch (error) {
      if (last || !RETRYABLE_CODES.has(errorCode(error) ?? '')) throw transportError(context, error);
      await sleep(backoff(attempt));
      continue;
    }
    if (last || !RETRYABLE_STATUSES.has(response.statusCode)) {
      return { status: response.statusCode, headers: response.headers, body: response.body, context };
    }
    await response.body.dump().catch(() => undefined);
    await sleep(retryAfter(response.headers['retry-after']) ?? backoff(attempt));
  }
}

/** Turns an unexpected status into the registry's error, reading its errors[] body. */
export async function expectStatus(response: HttpResponse, expected: readonly number[]): Promise<void> {
  if (expected.includes(response.status)) return;
  const body = response.context.method === 'HEAD' ? '' : (await readSmallBody(response)).toString('utf8');
  throw responseError(response.context, response.status, body);
}

export async function readSmallBody(response: HttpResponse): Promise<Buffer> {
  return readLimited(response, SMALL_BODY_LIMIT, () => new BerthError('unavailable', `${response.context.subject}: the registry's answer is larger than ${SMALL_BODY_LIMIT} bytes`));
}

/**
 * Reads a body of at most `limit` bytes. A larger one is refused from its Content-Length, or
 * as soon as the count passes the limit, so it is never held in memory.
 */
export async function readLimited(response: HttpResponse, limit: number, tooLarge: () => BerthError): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    abandon(response);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += (chunk as Buffer).length;
      if (total > limit) {
        abandon(response);
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BerthError) throw error;
    throw transportError(response.context, error);
  }
  return Buffer.concat(chunks, total);
}

/** Closes the connection of a body that will not be read; the abort this causes is expected. */
export function abandon(response: HttpResponse): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

/** Discards a body that is not needed so that its connection can be reused. */
export async function discard(response: HttpResponse): Promise<void> {
  await response.body.dump().catch(() => undefined);
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function backoff(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), MAX_DELAY_MS);
}

function retryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  const delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(text) - Date.now();
  return Number.isNaN(delay) ? undefined : Math.min(Math.max(delay, 0), MAX_DELAY_MS);
}
