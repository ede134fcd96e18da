import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerSummariesReply, containerSummaryMessage } from '../../src/runtime/containerd/container-summaries.js';
import { decodeMessage, encodeMessage } from '../../src/runtime/containerd/client.js';
import type { Container } from '../../src/runtime/containerd/types.js';
import { specCommand } from '../../src/runtime/containers/list.js';

const LIST_REPLY = 'containerd.services.containers.v1.ListContainersResponse';

const spec = (process: object) => Buffer.from(JSON.stringify({ ociVersion: '1.0.2-dev', process, root: { path: 'rootfs' } }));

const containers = [
  {
    id: 'a'.repeat(64),
    labels: { 'berth/name': 'web', 'io.kubernetes.pod.name': 'pod-ü' },
    image: 'docker.io/library/busybox:latest',
    runtime: { name: 'io.containerd.runc.v2', options: { type_url: 'containerd.runc.v1.Options', value: Buffer.from([1, 2, 3]) } },
    spec: { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: spec({ args: ['sh', '-c', 'echo hi'] }) },
    snapshotter: 'overlayfs',
    snapshot_key: 'a'.repeat(64),
    created_at: { seconds: '1796400000', nanos: 123456789 },
    updated_at: { seconds: '1796400001', nanos: 0 },
    extensions: { 'berth/intent': { type_url: 'berth/intent', value: Buffer.from('{"Config":{}}') } },
  },
  // every field empty: what the generated decoder fills with defaults
  { id: 'b', labels: {}, image: '', runtime: null, spec: null, snapshotter: '', snapshot_key: '', created_at: { seconds: '-5', nanos: 0 }, updated_at: null, extensions: {} },
];

describe('container summaries (Containers.List decoded by hand)', () => {
  it('decodes what the generated decoder decodes, extensions left out', () => {
    const bytes = encodeMessage(LIST_REPLY, { containers });
    const generated = decodeMessage<{ containers: Container[] }>(LIST_REPLY, bytes)!.containers;
    const { containers: summaries } = containerSummariesReply.decode(bytes) as { containers: Container[] };
    assert.equal(summaries.length, 2);
    for (const [index, summary] of summaries.entries()) {
      const { extensions, ...rest } = generated[index];
      assert.deepEqual({ ...summary, spec: summary.spec && { ...summary.spec, value: Buffer.from(summary.spec.value) } }, { ...rest, spec: rest.spec && { ...rest.spec, value: Buffer.from(rest.spec.value) }, extensions: {} });
      assert.ok(index > 0 || Object.keys(extensions).length === 1, 'the fixture has an extension to skip');
    }
    assert.equal(summaries[0].created_at?.seconds, '1796400000');
    assert.equal(summaries[1].created_at?.seconds, '-5');
  });

  it('decodes one ListStream message', () => {
    const bytes = encodeMessage('containerd.services.containers.v1.ListContainerMessage', { container: containers[0] });
    const { container } = containerSummaryMessage.decode(bytes) as { container: Container };
    assert.equal(container.id, containers[0].id);
    assert.deepEqual(container.labels, containers[0].labels);
    assert.deepEqual(container.extensions, {});
  });

  it('refuses a truncated reply instead of returning half a container', () => {
    const bytes = encodeMessage(LIST_REPLY, { containers });
    assert.throws(() => containerSummariesReply.decode(bytes.subarray(0, bytes.length - 7)));
  });
});

describe('specCommand', () => {
  it('reads process.args without parsing the rest', () => {
    assert.deepEqual(specCommand(spec({ user: { uid: 0 }, args: ['sh', '-c', 'echo "a]" \\ [b]'], env: ['A=["x"]'] })), ['sh', '-c', 'echo "a]" \\ [b]']);
    assert.deepEqual(specCommand(spec({ args: [] })), []);
    assert.deepEqual(specCommand(Buffer.from('{"process": {"args" : ["x y", "ü"]}}')), ['x y', 'ü']);
  });

  it('falls back to the whole spec when the quick read does not fit', () => {
    // "args" of a hook before process: the whole spec says what process.args is
    assert.deepEqual(specCommand(Buffer.from('{"process":{"user":{"username":"\\"args\\":[1]"},"args":["true"]}}')), ['true']);
    assert.deepEqual(specCommand(Buffer.from('{"hooks":{"prestart":[{"args":["hook"]}]},"process":{"args":["top"]}}')), ['top']);
    assert.deepEqual(specCommand(Buffer.from('{"process":{}}')), []);
    assert.deepEqual(specCommand(Buffer.from('not json')), []);
  });
});
