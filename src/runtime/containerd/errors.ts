// The one place where gRPC statuses become berth errors.

import type { ServiceError } from '@grpc/grpc-js';
import { BerthError, type ErrorCategory } from '../../errors.js';

const CATEGORY_BY_CODE: Readonly<Record<number, ErrorCategory>> = {
  1: 'canceled',
  3: 'invalid-argument',
  4: 'deadline-exceeded',
  5: 'not-found',
  6: 'already-exists',
  7: 'permission-denied',
  9: 'failed-precondition',
  12: 'not-implemented',
  14: 'unavailable',
  16: 'unauthorized',
};

const UNAVAILABLE = 14;

/** grpc-js reports a failed connect as `... connect ENOENT /x.sock`; name the cause the way a person would. */
function connectionCause(details: string): { cause: string; hint: string } | undefined {
  if (/\bENOENT\b/.test(details)) return { cause: 'no such file or directory', hint: 'is containerd running?' };
  if (/\bECONNREFUSED\b/.test(details)) return { cause: 'connection refused', hint: 'is containerd running?' };
  if (/\bEACCES\b|\bEPERM\b/.test(details)) return { cause: 'permission denied', hint: 'berth needs root (or the socket\'s group) to talk to containerd; try again with sudo' };
  if (/\bENOTSOCK\b/.test(details)) return { cause: 'not a socket', hint: 'is this containerd\'s address?' };
  return undefined;
}

export function fromGrpcError(error: ServiceError | Error, address: string): BerthError {
  const code = 'code' in error && typeof error.code === 'number' ? error.code : 2;
  const details = ('details' in error && typeof error.details === 'string' ? error.details : error.message) || error.message;
  if (code === UNAVAILABLE) {
    const connection = connectionCause(details);
    if (connection) {
      const category: ErrorCategory = connection.cause === 'permission denied' ? 'permission-denied' : 'unavailable';
      return new BerthError(category, `cannot connect to containerd at ${address}: ${connection.cause}; ${connection.hint}`, { cause: error });
    }
    return new BerthError('unavailable', `cannot connect to containerd at ${address}: ${details}`, { cause: error });
  }
  return new BerthError(categoryOf(code, details), details, { cause: error });
}

const UNKNOWN = 2;

/**
 * containerd passes the deadline a call carries (grpc-timeout) on to its handlers; one that runs
 * out there comes back as Unknown "context deadline exceeded" — often before the client's own
 * timer fires. It is the same timeout.
 */
function categoryOf(code: number, details: string): ErrorCategory {
  if (code === UNKNOWN && /^context deadline exceeded\b/.test(details)) return 'deadline-exceeded';
  if (code === UNKNOWN && /^context canceled\b/.test(details)) return 'canceled';
  return CATEGORY_BY_CODE[code] ?? 'internal';
}
