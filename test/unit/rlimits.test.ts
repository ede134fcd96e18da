import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHardLimits, rlimitsBeyondHost } from '../../src/runtime/spec/resources.js';
import { defaultSpec } from '../../src/runtime/spec/defaults.js';

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96367                96367                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

test('hard limits are read from /proc/self/limits; unlimited has no ceiling', () => {
  const limits = parseHardLimits(PROC_LIMITS);
  assert.equal(limits.get('RLIMIT_NOFILE'), 20000);
  assert.equal(limits.get('RLIMIT_NPROC'), 96367);
  assert.equal(limits.has('RLIMIT_CPU'), false);
});

test('a --ulimit above the host hard limit is named; one within it passes', () => {
  const spec = defaultSpec('default', 'x');
  const limits = parseHardLimits(PROC_LIMITS);
  assert.equal(rlimitsBeyondHost(spec, limits), undefined);
  spec.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 30000 }];
  assert.match(rlimitsBeyondHost(spec, limits) ?? '', /^--ulimit nofile=100:30000: the hard limit is above this host's \(20000\)/);
});
