// `container inspect` from fabricated records: Docker 28's field order, names and zero values.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOne } from '../../src/format/output.js';
import { goIndentedJSON } from '../../src/format/inspect.js';
import type { Container, Process } from '../../src/runtime/containerd/types.js';
import { buildContainerInspect, dateText, rfc3339Nano, ZERO_TIME } from '../../src/runtime/containers/inspect.js';
import { decodeRecord } from '../../src/runtime/containers/list.js';
import type { CreateIntent } from '../../src/runtime/intent.js';
import type { Spec } from '../../src/runtime/spec/types.js';

const ID = 'f'.repeat(64);
const IMAGE_ID = `sha256:${'b'.repeat(64)}`;

function container(labels: Record<string, string>, intent?: object, spec?: object): Container {
  return {
    id: ID,
    labels,
    image: 'docker.io/library/busybox:latest',
    runtime: { name: 'io.containerd.runc.v2', options: null },
    spec: spec ? { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: Buffer.from(JSON.stringify(spec)) } : null,
    snapshotter: 'overlayfs',
    snapshot_key: ID,
    created_at: { seconds: '1796405000', nanos: 123456789 },
    updated_at: null,
    extensions: intent ? { 'berth/intent': { type_url: 'berth/create-intent', value: Buffer.from(JSON.stringify(intent)) } } : {},
  };
}

const labels = {
  'berth/name': 'web',
  'berth/image': 'busybox',
  'berth/image-id': IMAGE_ID,
  'berth/command': '["sh","-c","echo hi"]',
  'berth/platform': 'linux/amd64',
  'berth/hostname': 'ffffffffffff',
  'com.example': 'x',
  'a.first': 'y',
};

const spec = {
  process: { args: ['sh', '-c', 'echo hi'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=ffffffffffff', 'A=1'], cwd: '/' },
  hostname: 'ffffffffffff',
  linux: { maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'] },
} as unknown as Spec;

const intent = {
  Image: 'busybox',
  Cmd: ['sh', '-c', 'echo hi'],
  Env: ['A=1'],
  Labels: { 'com.example': 'x' },
  HostConfig: { NetworkMode: 'none', Binds: ['/srv/data:/data:ro'], Memory: 64 * 1024 * 1024, PidsLimit: 50, Init: true },
} as unknown as CreateIntent;

const imageConfig = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } };

function inspect(task?: Process, extraLabels: Record<string, string> = {}) {
  const record = decodeRecord(container({ ...labels, ...extraLabels }, intent, spec), task);
  return buildContainerInspect({ record, spec, intent, imageConfig, directory: `/var/lib/berth/x/containers/default/${ID}`, logPath: `/var/lib/berth/x/containers/default/${ID}/${ID}-json.log` });
}

describe('container inspect', () => {
  it("has Docker's fields in Docker's order", () => {
    assert.deepEqual(Object.keys(inspect()), [
      'Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount',
      'Driver', 'Platform', 'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings',
    ]);
  });

  it('shows a container that never ran with zero times', () => {
    const result = inspect() as Record<string, any>;
    assert.equal(result.Id, ID);
    assert.equal(result.Created, '2026-12-04T17:23:20.123456789Z');
    assert.equal(result.Name, '/web');
    assert.equal(result.Image, IMAGE_ID);
    assert.equal(result.Path, 'sh');
    assert.deepEqual(result.Args, ['-c', 'echo hi']);
    assert.deepEqual(result.State, {
      Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
    });
    assert.equal(result.HostsPath, `/var/lib/berth/x/containers/default/${ID}/hosts`);
    assert.equal(result.LogPath, `/var/lib/berth/x/containers/default/${ID}/${ID}-json.log`);
    assert.equal(result.Driver, 'overlayfs');
    assert.equal(result.Platform, 'linux');
    assert.equal(result.ExecIDs, null);
  });

  it('shows a running container with its pid and start time', () => {
    const running = inspect({ container_id: '', id: ID, pid: 777, status: 'RUNNING', terminal: false, exit_status: 0, exited_at: null }, { 'berth/started-at': '2026-12-04T17:30:00.5Z' }) as Record<string, any>;
    assert.equal(running.State.Status, 'running');
    assert.equal(running.State.Running, true);
    assert.equal(running.State.Pid, 777);
    assert.equal(running.State.StartedAt, '2026-12-04T17:30:00.5Z');
    assert.equal(running.NetworkSettings.SandboxKey, '/proc/777/ns/net');
  });

  it('shows an exited container with its code and end', () => {
    const exited = inspect(undefined, { 'berth/started-at': '2026-12-04T17:30:00Z', 'berth/exit-code': '3', 'berth/finished-at': '2026-12-04T17:31:00.25Z' }) as Record<string, any>;
    assert.equal(exited.State.Status, 'exited');
    assert.equal(exited.State.ExitCode, 3);
    assert.equal(exited.State.FinishedAt, '2026-12-04T17:31:00.25Z');
    assert.equal(exited.State.Pid, 0);
  });

  it('fills HostConfig from the intent with Docker defaults', () => {
    const host = inspect().HostConfig as Record<string, any>;
    assert.deepEqual(host.Binds, ['/srv/data:/data:ro']);
    assert.equal(host.NetworkMode, 'none');
    assert.deepEqual(host.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
    assert.equal(host.Memory, 67108864);
    assert.equal(host.MemorySwap, 134217728);
    assert.equal(host.PidsLimit, 50);
    assert.equal(host.ShmSize, 67108864);
    assert.equal(host.Runtime, 'runc');
    assert.equal(host.Init, true);
    assert.deepEqual(host.MaskedPaths, ['/proc/kcore']);
    assert.equal(goIndentedJSON(host.LogConfig), '{\n    "Type": "json-file",\n    "Config": {}\n}');
  });

  it("builds Config as Docker merged it: the name as typed, user labels, the image's env", () => {
    const config = inspect().Config as Record<string, any>;
    assert.equal(config.Image, 'busybox');
    assert.equal(config.Hostname, 'ffffffffffff');
    assert.deepEqual(config.Env, ['A=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    assert.deepEqual(config.Cmd, ['sh', '-c', 'echo hi']);
    assert.equal(config.Entrypoint, null);
    assert.equal(config.WorkingDir, '');
    // maps print with sorted keys, and templates can index them
    assert.equal(JSON.stringify(config.Labels), '{"a.first":"y","com.example":"x"}');
    assert.equal(JSON.stringify(config.ExposedPorts), '{"80/tcp":{}}');
    const whole = inspect();
    assert.equal(formatOne(whole, '{{index .Config.Labels "com.example"}} {{json .Config.Labels}} {{.State.Status}}'), 'x {"a.first":"y","com.example":"x"} created\n');
  });

  it('lists bind mounts as Docker MountPoints', () => {
    assert.deepEqual(inspect().Mounts, [{ Type: 'bind', Source: '/srv/data', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' }]);
  });

  it('names the network berth ran the container in', () => {
    const settings = inspect().NetworkSettings as Record<string, any>;
    assert.deepEqual([...settings.Networks.keys()], ['none']);
    assert.equal(settings.IPAddress, '');
  });

  it('adds sizes with -s', () => {
    const record = decodeRecord(container(labels, intent, spec));
    const result = buildContainerInspect({ record, spec, intent, directory: '/d', logPath: '/d/l', size: { rw: 12, rootFs: 4000 } });
    assert.equal(result.SizeRw, 12);
    assert.equal(result.SizeRootFs, 4000);
    assert.deepEqual(Object.keys(result).slice(19, 22), ['GraphDriver', 'SizeRw', 'SizeRootFs']);
  });

  it('strips --init from Path and Args', () => {
    const initSpec = { ...spec, process: { ...spec.process, args: ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi'] } } as Spec;
    const record = decodeRecord(container(labels, intent, initSpec));
    const result = buildContainerInspect({ record, spec: initSpec, intent, directory: '/d', logPath: '/d/l' });
    assert.equal(result.Path, 'sh');
  });

  it("writes times as Go's RFC3339Nano", () => {
    assert.equal(rfc3339Nano(0, 0), '1970-01-01T00:00:00Z');
    assert.equal(rfc3339Nano(1, 500_000_000), '1970-01-01T00:00:01.5Z');
    assert.equal(rfc3339Nano(1, 1), '1970-01-01T00:00:01.000000001Z');
    assert.equal(dateText(undefined), '0001-01-01T00:00:00Z');
    assert.equal(dateText(new Date('2026-12-04T17:31:00.120Z')), '2026-12-04T17:31:00.12Z');
  });
});
