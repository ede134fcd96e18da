// The create intent: Docker's ContainerCreate body as dockerode sends it, validated once.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { parseCreateIntent } from '../../src/runtime/intent.js';

describe('parseCreateIntent', () => {
  it('accepts a dockerode-style body and drops fields berth does not read', () => {
    const intent = parseCreateIntent({
      Image: 'alpine',
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: null,
      Env: ['A=1'],
      Tty: true,
      OpenStdin: true,
      AttachStdout: true,
      ArgsEscaped: false,
      StopTimeout: 5,
      HostConfig: {
        Binds: ['/src:/dst:ro'],
        Mounts: [{ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }],
        Tmpfs: { '/run': 'size=64m' },
        Memory: 64 * 1024 * 1024,
        NanoCpus: 500_000_000,
        Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 20 }],
        NetworkMode: 'none',
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        LogConfig: { Type: 'json-file', Config: {} },
      },
      NetworkingConfig: { EndpointsConfig: {} },
    });
    assert.deepEqual(intent.Cmd, ['sh', '-c', 'echo hi']);
    assert.equal(intent.AttachStdout, true);
    assert.equal('ArgsEscaped' in intent, false);
    assert.equal(intent.HostConfig.Memory, 67108864);
    assert.equal(intent.HostConfig.RestartPolicy?.MaximumRetryCount, 3);
  });

  it('reads a string Cmd or Entrypoint as a one-element list and defaults HostConfig', () => {
    const intent = parseCreateIntent({ Image: 'alpine', Cmd: 'ls', Entrypoint: '' });
    assert.deepEqual(intent.Cmd, ['ls']);
    assert.deepEqual(intent.Entrypoint, ['']);
    assert.deepEqual(intent.HostConfig, {});
  });

  const invalid: { name: string; body: object; message: string }[] = [
    { name: 'no image', body: { Image: '' }, message: 'Image: an image is required' },
    { name: 'tiny memory', body: { Image: 'a', HostConfig: { Memory: 1024 } }, message: 'HostConfig.Memory: minimum memory limit allowed is 6MB' },
    { name: 'container network without a container', body: { Image: 'a', HostConfig: { NetworkMode: 'container:' } }, message: 'HostConfig.NetworkMode: invalid network mode "container:"' },
    {
      name: 'image mount',
      body: { Image: 'a', HostConfig: { Mounts: [{ Type: 'image', Source: 'v', Target: '/v' }] } },
      message: 'HostConfig.Mounts.0.Type: mount type "image" is not supported yet',
    },
    { name: 'unknown restart policy', body: { Image: 'a', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, message: 'HostConfig.RestartPolicy.Name: invalid restart policy "sometimes"' },
    {
      name: 'retries without on-failure',
      body: { Image: 'a', HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } } },
      message: "HostConfig.RestartPolicy: maximum retry count cannot be used with restart policy 'always'",
    },
    {
      name: '--rm with a restart policy',
      body: { Image: 'a', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } },
      message: "HostConfig.AutoRemove: can't create 'AutoRemove' container with restart policy",
    },
    { name: 'fractional CPUs in nanoseconds', body: { Image: 'a', HostConfig: { NanoCpus: 1.5 } }, message: 'HostConfig.NanoCpus: Invalid input: expected int, received number' },
  ];
  for (const { name, body, message } of invalid) {
    it(`refuses ${name} as a usage error`, () => {
      assert.throws(
        () => parseCreateIntent(body),
        (error: unknown) => isBerthError(error, 'usage') && error.message === `invalid container config: ${message}`,
      );
    });
  }

  it('accepts --rm with restart policy "no"', () => {
    assert.equal(parseCreateIntent({ Image: 'a', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'no' } } }).HostConfig.AutoRemove, true);
  });
});
