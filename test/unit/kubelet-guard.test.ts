// What berth does when asked to stop, kill, restart or remove one of the kubelet's sandboxes or
// containers: warn, refuse `rm` without -f, and go through CRI.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { guardDecision, kubeletObject } from '../../src/runtime/cri/guard.js';

const POD = { 'io.kubernetes.pod.name': 'web-1', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'u-1' };
const CONTAINER = { id: 'c'.repeat(64), labels: { ...POD, 'io.kubernetes.container.name': 'nginx', 'io.cri-containerd.kind': 'container' } };
const SANDBOX = { id: 's'.repeat(64), labels: { ...POD, 'io.cri-containerd.kind': 'sandbox' } };

const container = kubeletObject(CONTAINER)!;
const sandbox = kubeletObject(SANDBOX)!;

describe('kubeletObject', () => {
  it("knows the CRI plugin's sandboxes and containers by its kind label, named k8s://", () => {
    assert.deepEqual(container, { id: CONTAINER.id, kind: 'container', name: 'k8s://shop/web-1/nginx' });
    assert.deepEqual(sandbox, { id: SANDBOX.id, kind: 'sandbox', name: 'k8s://shop/web-1' });
  });

  it('falls back to the ID without the kubelet labels, and leaves every other container alone', () => {
    assert.equal(kubeletObject({ id: 'x', labels: { 'io.cri-containerd.kind': 'container' } })?.name, 'x');
    assert.equal(kubeletObject({ id: 'x', labels: { ...POD } }), undefined);
    assert.equal(kubeletObject({ id: 'x', labels: { 'io.cri-containerd.kind': 'other' } }), undefined);
    assert.equal(kubeletObject({ id: 'x', labels: {} }), undefined);
  });
});

describe('guardDecision', () => {
  it('rm without -f refuses with the reason (exit 1, not a usage error)', () => {
    for (const object of [container, sandbox]) {
      assert.throws(() => guardDecision('rm', object), (error: unknown) => {
        assert.ok(error instanceof BerthError);
        assert.equal(error.category, 'failed-precondition');
        assert.match(error.message, new RegExp(`^refusing to remove .*${object.name}: the kubelet manages it .*-f`));
        return true;
      });
    }
  });

  it('rm -f, stop and restart go through CRI with a warning that the kubelet replaces the container', () => {
    for (const action of ['rm', 'stop', 'restart'] as const) {
      const decision = guardDecision(action, container, { force: true });
      assert.equal(decision.throughCri, true, action);
      assert.match(decision.warning, /^WARNING: .*Kubernetes container k8s:\/\/shop\/web-1\/nginx .*the kubelet will create a new container in its place/, action);
    }
    assert.match(guardDecision('rm', sandbox, { force: true }).warning, /^WARNING: removing pod sandbox k8s:\/\/shop\/web-1 and its containers through CRI; the kubelet will create the pod again/);
  });

  it('kill warns but signals through containerd: CRI has no call for signals', () => {
    const decision = guardDecision('kill', container);
    assert.equal(decision.throughCri, false);
    assert.match(decision.warning, /^WARNING: .*managed by the kubelet: once it exits, the kubelet will create a new container/);
  });

  it('stop and restart refuse --signal, which CRI cannot send, as a usage error naming the flag', () => {
    for (const action of ['stop', 'restart'] as const) {
      assert.throws(() => guardDecision(action, container, { signal: 'HUP' }), (error: unknown) => error instanceof BerthError && error.category === 'usage' && error.message.startsWith('--signal cannot be used'));
    }
  });
});
