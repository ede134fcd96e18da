// The build compiles berth's protos to static codecs (pbjs -t static-module); protobufjs'
// reflection of the same protos (the build's JSON descriptor) is the reference they must match.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage } from '../../src/runtime/containerd/client.js';

const generated = new URL('../../src/runtime/containerd/generated/', import.meta.url);
const reflection = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL('containerd.json', generated), 'utf8')));
const methods = JSON.parse(readFileSync(new URL('methods.json', generated), 'utf8')) as Record<string, Record<string, [string, string]>>;
const DECODE_OPTIONS = { longs: String, enums: String, defaults: true, oneofs: true, arrays: true, objects: true };

const SAMPLES: ReadonlyArray<readonly [string, object]> = [
  [
    'containerd.services.containers.v1.CreateContainerRequest',
    {
      container: {
        id: 'c1',
        labels: { 'berth/name': 'web', 'io.kubernetes.pod.name': 'pod-ü' },
        image: 'docker.io/library/busybox:latest',
        runtime: { name: 'io.containerd.runc.v2', options: { type_url: 'containerd.runc.v1.Options', value: Buffer.from([8, 1]) } },
        spec: { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: Buffer.from('{"ociVersion":"1.0.2"}') },
        snapshotter: 'overlayfs',
        snapshot_key: 'c1',
        created_at: { seconds: '1796400000', nanos: 5 },
        extensions: { 'berth/intent': { type_url: 'berth/intent', value: Buffer.from('{}') } },
      },
    },
  ],
  ['containerd.services.content.v1.WriteContentRequest', { action: 'COMMIT', ref: 'r', total: '9007199254740993', expected: 'sha256:x', offset: 12, data: Buffer.from('abc'), labels: { a: 'b' } }],
  ['containerd.services.content.v1.WriteContentResponse', { action: 'WRITE', offset: '-1', total: '0', digest: '' }],
  ['containerd.v1.types.Process', { container_id: 'c', id: 'p', pid: 42, status: 'STOPPED', terminal: true, exit_status: 137, exited_at: { seconds: '-5', nanos: 0 } }],
  ['containerd.events.TaskExit', { container_id: 'c', id: 'c', pid: 7, exit_status: 3, exited_at: { seconds: '1', nanos: 2 } }],
  ['containerd.services.containers.v1.ListContainersResponse', { containers: [{ id: 'empty' }, {}] }],
  ['containerd.runc.v1.Options', { binary_name: '/usr/bin/runc', systemd_cgroup: true }],
];

describe('containerd codecs (static, from the build)', () => {
  for (const [typeName, value] of SAMPLES) {
    it(`${typeName}: the same bytes and the same decoded object as protobufjs' reflection`, () => {
      const type = reflection.lookupType(typeName);
      const expectedBytes = Buffer.from(type.encode(type.fromObject(value)).finish());
      const bytes = encodeMessage(typeName, value);
      assert.ok(bytes.length > 0 || Object.keys(value).length === 0);
      assert.deepEqual(bytes, expectedBytes);
      assert.deepEqual(decodeMessage(typeName, bytes), type.toObject(type.decode(bytes), DECODE_OPTIONS));
    });
  }

  it('has codecs for every request and response of every method of berth’s services', () => {
    const missing: string[] = [];
    for (const [service, serviceMethods] of Object.entries(methods)) {
      for (const [method, [request, response]] of Object.entries(serviceMethods)) {
        for (const typeName of [request, response]) {
          if (decodeMessage(typeName, new Uint8Array()) === undefined) missing.push(`${service}/${method}: ${typeName}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(methods).length >= 10, 'methods.json lists the services');
  });

  it('knows no type its protos do not define', () => {
    assert.equal(decodeMessage('containerd.events.NoSuchEvent', new Uint8Array()), undefined);
    assert.throws(() => encodeMessage('containerd.NoSuch', {}), /berth's protos lack containerd\.NoSuch/);
  });
});
