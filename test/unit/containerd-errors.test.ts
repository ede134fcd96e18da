import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromGrpcError } from '../../src/runtime/containerd/errors.js';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

test('a deadline that ran out inside containerd is a timeout, like one that ran out here', () => {
  assert.equal(fromGrpcError(grpcError(4, 'Deadline exceeded'), '/x.sock').category, 'deadline-exceeded');
  assert.equal(fromGrpcError(grpcError(2, 'context deadline exceeded: unknown'), '/x.sock').category, 'deadline-exceeded');
  assert.equal(fromGrpcError(grpcError(2, 'context canceled: unknown'), '/x.sock').category, 'canceled');
});

test('other unknown errors stay internal, and keep containerd\'s words', () => {
  const error = fromGrpcError(grpcError(2, 'failed to delete task: cannot delete a running process: unknown'), '/x.sock');
  assert.equal(error.category, 'internal');
  assert.equal(error.message, 'failed to delete task: cannot delete a running process: unknown');
  assert.equal(fromGrpcError(grpcError(2, 'runc: context deadline exceeded'), '/x.sock').category, 'internal');
});

test('statuses by code: not found, precondition, a socket that is not there', () => {
  assert.equal(fromGrpcError(grpcError(5, 'container "x": not found'), '/x.sock').category, 'not-found');
  assert.equal(fromGrpcError(grpcError(9, 'task must be stopped'), '/x.sock').category, 'failed-precondition');
  const down = fromGrpcError(grpcError(14, 'No connection established. Last error: connect ENOENT /x.sock'), '/x.sock');
  assert.equal(down.message, 'cannot connect to containerd at /x.sock: no such file or directory; is containerd running?');
});
