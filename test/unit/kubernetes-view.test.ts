// Kubernetes' containers in berth's listings: k8s:// names, name lookup, ps filters and fields,
// pods, and the CRI log format read back.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Container, Process } from '../../src/runtime/containerd/types.js';
import { candidateFilters, resolveReference } from '../../src/runtime/containers/find.js';
import { criContainerMetadata, kubernetesInfo, kubernetesName, parseKubernetesName } from '../../src/runtime/containers/kubernetes.js';
import { decodeRecord, sortNewestFirst } from '../../src/runtime/containers/list.js';
import { podRow, podsOf } from '../../src/runtime/containers/pods.js';
import { containerRow, parseContainerFilters, selectContainers } from '../../src/runtime/containers/ps.js';
import { criEntryParser, CRI_LOG_FORMAT, parseCriLine } from '../../src/runtime/logging/cri-log.js';
import { readLog, type ReadLogOptions } from '../../src/runtime/logging/read.js';

process.env.TZ = 'UTC';

const id = (char: string) => char.repeat(64);
const timestamp = (iso: string) => ({ seconds: String(Date.parse(iso) / 1000), nanos: 0 });
const podLabels = (pod: string, uid: string, more: Record<string, string> = {}) => ({
  'io.kubernetes.pod.name': pod,
  'io.kubernetes.pod.namespace': 'team',
  'io.kubernetes.pod.uid': uid,
  ...more,
});

function container(char: string, labels: Record<string, string>, created: string, extra: Partial<Container> = {}): Container {
  return {
    id: id(char),
    labels,
    image: 'registry.example/app:1',
    runtime: { name: 'io.containerd.runc.v2', options: null },
    spec: null,
    snapshotter: 'overlayfs',
    snapshot_key: id(char),
    created_at: timestamp(created),
    updated_at: timestamp(created),
    extensions: {},
    ...extra,
  };
}
const sandbox = (char: string, pod: string, uid: string, created: string) => container(char, podLabels(pod, uid, { 'io.cri-containerd.kind': 'sandbox' }), created);
const criContainer = (char: string, pod: string, uid: string, name: string, created: string, extra: Partial<Container> = {}) =>
  container(char, podLabels(pod, uid, { 'io.cri-containerd.kind': 'container', 'io.kubernetes.container.name': name }), created, extra);
const running = (char: string): Process => ({ container_id: '', id: id(char), pid: 7, status: 'RUNNING', terminal: false, exit_status: 0, exited_at: null });
const spec = (args: string[]) => ({ type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: Buffer.from(JSON.stringify({ process: { args } })) });

describe('Kubernetes names', () => {
  it('names containers k8s://namespace/pod/container and sandboxes k8s://namespace/pod', () => {
    const web = decodeRecord(criContainer('a', 'shop', 'u1', 'web', '2026-01-01T00:00:00Z'));
    assert.equal(web.name, 'k8s://team/shop/web');
    assert.deepEqual(web.kubernetes, { kind: 'container', podName: 'shop', podNamespace: 'team', podUid: 'u1', containerName: 'web' });
    assert.equal(decodeRecord(sandbox('b', 'shop', 'u1', '2026-01-01T00:00:00Z')).name, 'k8s://team/shop');
    // without CRI's kind label, or without the pod's labels, a container is not Kubernetes'
    assert.equal(kubernetesInfo(podLabels('shop', 'u1')), undefined);
    assert.equal(kubernetesInfo({ 'io.cri-containerd.kind': 'container' }), undefined);
    assert.equal(decodeRecord(container('c', { 'io.cri-containerd.kind': 'container' }, '2026-01-01T00:00:00Z')).name, id('c'));
    // berth's own name wins
    assert.equal(decodeRecord(criContainer('d', 'shop', 'u1', 'web', '2026-01-01T00:00:00Z', { labels: { ...podLabels('shop', 'u1'), 'io.cri-containerd.kind': 'container', 'berth/name': 'mine' } })).name, 'mine');
  });

  it('parses k8s:// names back, and rejects malformed ones', () => {
    assert.deepEqual(parseKubernetesName('k8s://team/shop/web'), { podNamespace: 'team', podName: 'shop', containerName: 'web' });
    assert.deepEqual(parseKubernetesName('k8s://team/shop'), { podNamespace: 'team', podName: 'shop', containerName: undefined });
    for (const bad of ['k8s://team', 'k8s://team//web', 'k8s://a/b/c/d', 'team/shop/web']) assert.equal(parseKubernetesName(bad), undefined, bad);
    const info = kubernetesInfo(podLabels('shop', 'u', { 'io.cri-containerd.kind': 'container', 'io.kubernetes.container.name': 'web' }))!;
    assert.deepEqual(parseKubernetesName(kubernetesName(info)), { podNamespace: 'team', podName: 'shop', containerName: 'web' });
  });

  it('finds containers by k8s:// name (the newest attempt), ID and ID prefix', () => {
    assert.deepEqual(candidateFilters('k8s://team/shop/web'), [
      'labels."io.kubernetes.pod.namespace"=="team",labels."io.kubernetes.pod.name"=="shop",labels."io.cri-containerd.kind"=="container",labels."io.kubernetes.container.name"=="web"',
    ]);
    assert.match(candidateFilters('k8s://team/shop')![0], /labels\."io\.cri-containerd\.kind"=="sandbox"$/);
    const records = sortNewestFirst([
      decodeRecord(criContainer('a', 'shop', 'u1', 'web', '2026-01-01T00:00:00Z')),
      decodeRecord(criContainer('b', 'shop', 'u1', 'web', '2026-01-02T00:00:00Z')),
      decodeRecord(sandbox('c', 'shop', 'u1', '2026-01-01T00:00:00Z')),
    ]);
    assert.equal(resolveReference(records, 'k8s://team/shop/web').id, id('b'));
    assert.equal(resolveReference(records, 'k8s://team/shop').id, id('c'));
    assert.equal(resolveReference(records, 'aaaa').id, id('a'));
    assert.throws(() => resolveReference(records, 'k8s://team/shop/db'), /No such container: k8s:\/\/team\/shop\/db/);
  });

  it('reads the sandbox ID and log path from CRI metadata', () => {
    const metadata = { Version: 'v1', Metadata: { ID: id('a'), SandboxID: id('s'), LogPath: '/var/log/pods/x/web/0.log', ImageRef: 'sha256:abc', Config: {} } };
    const extensions = { 'io.cri-containerd.container.metadata': { type_url: 'github.com/containerd/cri/pkg/store/container/Metadata', value: Buffer.from(JSON.stringify(metadata)) } };
    assert.deepEqual(criContainerMetadata(criContainer('a', 'shop', 'u', 'web', '2026-01-01T00:00:00Z', { extensions })), { sandboxId: id('s'), logPath: '/var/log/pods/x/web/0.log', imageRef: 'sha256:abc' });
    assert.equal(criContainerMetadata(criContainer('a', 'shop', 'u', 'web', '2026-01-01T00:00:00Z')), undefined);
  });
});

describe('ps of Kubernetes containers', () => {
  const records = sortNewestFirst([
    decodeRecord(criContainer('a', 'shop', 'u1', 'web', '2026-01-01T00:00:01Z', { spec: spec(['nginx', '-g', 'daemon off;']) }), running('a')),
    decodeRecord(criContainer('b', 'cart', 'u2', 'api', '2026-01-01T00:00:02Z'), running('b')),
    decodeRecord(sandbox('c', 'shop', 'u1', '2026-01-01T00:00:00Z'), running('c')),
  ]);
  const select = (filters: string[], all = false) => selectContainers(records, parseContainerFilters(filters), { all, last: -1 }).map((record) => record.name);

  it('hides sandboxes unless -a or a filter on CRI kind asks for them', () => {
    assert.deepEqual(select([]), ['k8s://team/cart/api', 'k8s://team/shop/web']);
    assert.deepEqual(select([], true), ['k8s://team/cart/api', 'k8s://team/shop/web', 'k8s://team/shop']);
    assert.deepEqual(select(['label=io.cri-containerd.kind=sandbox']), ['k8s://team/shop']);
  });

  it('filters by pod, Kubernetes namespace and the kubelet labels', () => {
    assert.deepEqual(select(['pod=shop']), ['k8s://team/shop/web']);
    assert.deepEqual(select(['pod=shop'], true), ['k8s://team/shop/web', 'k8s://team/shop']);
    assert.deepEqual(select(['k8s-namespace=team']), ['k8s://team/cart/api', 'k8s://team/shop/web']);
    assert.deepEqual(select(['k8s-namespace=other']), []);
    assert.deepEqual(select(['label=io.kubernetes.pod.name=cart']), ['k8s://team/cart/api']);
  });

  it('shows COMMAND from the spec and the pod fields, in {{json .}} for Kubernetes containers only', () => {
    const row = containerRow(records[1], { truncate: false, now: Date.parse('2026-01-01T01:00:00Z') });
    assert.equal(row.Command, '"nginx -g \'daemon off;\'"');
    assert.deepEqual([row.PodName, row.PodNamespace, row.ContainerName], ['shop', 'team', 'web']);
    assert.ok(Object.keys(row).includes('PodName'));
    const plain = containerRow(decodeRecord(container('d', { 'berth/name': 'x', 'berth/command': '["sh"]' }, '2026-01-01T00:00:00Z')), { truncate: true, now: 0 });
    assert.equal(plain.PodName, '');
    assert.ok(!Object.keys(plain).includes('PodName'));
  });
});

describe('pods', () => {
  it('lists sandboxes newest first with state and container counts', () => {
    const records = sortNewestFirst([
      decodeRecord(sandbox('a', 'shop', 'u1', '2026-01-01T00:00:00Z'), running('a')),
      decodeRecord(criContainer('b', 'shop', 'u1', 'web', '2026-01-01T00:00:01Z')),
      decodeRecord(criContainer('c', 'shop', 'u1', 'side', '2026-01-01T00:00:02Z')),
      decodeRecord(sandbox('d', 'cart', 'u2', '2026-01-01T00:00:03Z')),
      decodeRecord(container('e', { 'berth/name': 'mine' }, '2026-01-01T00:00:04Z')),
    ]);
    const pods = podsOf(records);
    assert.deepEqual(
      pods.map((pod) => [pod.name, pod.state, pod.containers]),
      [
        ['cart', 'NotReady', 0],
        ['shop', 'Ready', 2],
      ],
    );
    const row = podRow(pods[1], { truncate: true, now: Date.parse('2026-01-01T00:05:00Z') });
    assert.deepEqual(row, {
      Containers: 2,
      CreatedAt: '2026-01-01 00:00:00 +0000 UTC',
      CreatedSince: '5 minutes ago',
      ID: 'aaaaaaaaaaaa',
      Name: 'shop',
      Namespace: 'team',
      PodID: 'aaaaaaaaaaaa',
      State: 'Ready',
      UID: 'u1',
    });
    assert.equal(podRow(pods[1], { truncate: false, now: 0 }).PodID, id('a'));
  });

  it('counts a recreated sandbox\'s containers once, for the newest sandbox', () => {
    const pods = podsOf(
      sortNewestFirst([
        decodeRecord(sandbox('a', 'shop', 'u1', '2026-01-01T00:00:00Z')),
        decodeRecord(sandbox('b', 'shop', 'u1', '2026-01-01T00:01:00Z'), running('b')),
        decodeRecord(criContainer('c', 'shop', 'u1', 'web', '2026-01-01T00:01:01Z')),
      ]),
    );
    assert.deepEqual(pods.map((pod) => [pod.id[0], pod.state, pod.containers]), [['b', 'Ready', 1], ['a', 'NotReady', 0]]);
  });
});

describe('CRI log format', () => {
  const base = '2026-01-02T03:04:05';
  const at = (second: number, fraction = '000000001') => `${base.slice(0, -2)}${String(5 + second).padStart(2, '0')}.${fraction}Z`;

  it('parses lines of both streams, and nothing else', () => {
    assert.deepEqual(parseCriLine(`${at(0)} stdout F hello world`), { time: 1767323045000000001n, stream: 'stdout', partial: false, text: 'hello world' });
    assert.deepEqual(parseCriLine(`${at(0)} stderr P`), { time: 1767323045000000001n, stream: 'stderr', partial: true, text: '' });
    for (const bad of ['', 'hello', `${at(0)} stdin F x`, `${at(0)} stdout X x`, `yesterday stdout F x`]) assert.equal(parseCriLine(bad), undefined, bad);
  });

  it('joins partial lines per stream until the final part, timed by the first part', () => {
    const parse = criEntryParser();
    assert.equal(parse(`${at(0)} stdout P abc`), undefined);
    assert.deepEqual(parse(`${at(1)} stderr F err`), { log: 'err\n', stream: 'stderr', time: 1767323046000000001n });
    assert.equal(parse(`${at(2)} stdout P def`), undefined);
    assert.deepEqual(parse(`${at(3)} stdout F ghi`), { log: 'abcdefghi\n', stream: 'stdout', time: 1767323045000000001n });
    assert.equal(CRI_LOG_FORMAT.endsEntry(`${at(3)} stdout F ghi`), true);
    assert.equal(CRI_LOG_FORMAT.endsEntry(`${at(3)} stdout P ghi`), false);
  });

  const dir = mkdtempSync(join(tmpdir(), 'berth-cri-log-'));
  let counter = 0;
  const logFile = (text: string) => {
    const path = join(dir, `p${++counter}`, '0.log');
    mkdirSync(join(path, '..'));
    writeFileSync(path, text);
    return path;
  };
  const options = (extra: Partial<ReadLogOptions> = {}): ReadLogOptions => ({ follow: false, tail: -1, timestamps: false, details: false, format: CRI_LOG_FORMAT, ...extra });
  const collect = async (path: string, opts: ReadLogOptions) => {
    const out: string[] = [];
    await readLog(path, opts, { write: (stream, text) => void out.push(`${stream}:${text}`) }, async () => true);
    return out;
  };
  const log = [`${at(0)} stdout F one`, `${at(1)} stdout P tw`, `${at(2)} stderr F err`, `${at(3)} stdout P o-`, `${at(4)} stdout F two`, `${at(5)} stdout F three`, ''].join('\n');

  it('reads a log with partial lines joined, both streams, and -t', async () => {
    const path = logFile(log);
    assert.deepEqual(await collect(path, options()), ['stdout:one\n', 'stderr:err\n', 'stdout:two-two\n', 'stdout:three\n']);
    assert.deepEqual(await collect(path, options({ timestamps: true, tail: 1 })), [`stdout:${at(5)} three\n`]);
  });

  it('--tail counts entries, a joined line as one', async () => {
    const path = logFile(log);
    // the joined line began three lines before its end: read back until it is whole
    assert.deepEqual(await collect(path, options({ tail: 2 })), ['stdout:two-two\n', 'stdout:three\n']);
    assert.deepEqual(await collect(path, options({ tail: 3 })), ['stderr:err\n', 'stdout:two-two\n', 'stdout:three\n']);
    assert.deepEqual(await collect(path, options({ tail: 0 })), []);
    assert.equal((await collect(path, options({ tail: 50 }))).length, 4);
  });

  it('--since and --until select by the entry\'s time, inclusive', async () => {
    const path = logFile(log);
    const nanos = (second: number) => 1767323045000000001n + BigInt(second) * 1_000_000_000n;
    assert.deepEqual(await collect(path, options({ since: nanos(2) })), ['stderr:err\n', 'stdout:three\n']);
    // entries come in the order they ended; --until stops at the first one after it
    assert.deepEqual(await collect(path, options({ until: nanos(2) })), ['stdout:one\n', 'stderr:err\n', 'stdout:two-two\n']);
  });
});
