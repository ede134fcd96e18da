// Container records, Docker's status words, ps rows and filters, reference resolution. The
// expected ps strings are what docker 28.2.2's own client printed for the same containers
// (served by a stand-in daemon answering /containers/json).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { formatList } from '../../src/format/output.js';
import type { Container, Process } from '../../src/runtime/containerd/types.js';
import { candidateFilters, resolveReference } from '../../src/runtime/containers/find.js';
import { decodeRecord, sortNewestFirst } from '../../src/runtime/containers/list.js';
import {
  ancestorSet,
  commandText,
  containerRow,
  defaultTable,
  ellipsis,
  imageText,
  parseContainerFilters,
  selectContainers,
  templateUsesSize,
} from '../../src/runtime/containers/ps.js';
import type { ContainerRecord } from '../../src/runtime/containers/record.js';
import { statusText } from '../../src/runtime/containers/status.js';

process.env.TZ = 'UTC';

const NOW = Date.parse('2026-12-04T18:00:00Z');
const IMAGE_ID = `sha256:${'b'.repeat(64)}`;

function timestamp(iso: string) {
  const ms = Date.parse(iso);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

function fakeContainer(id: string, labels: Record<string, string>, created: string, extra: Partial<Container> = {}): Container {
  return {
    id,
    labels,
    image: 'docker.io/library/busybox:latest',
    runtime: { name: 'io.containerd.runc.v2', options: null },
    spec: null,
    snapshotter: 'overlayfs',
    snapshot_key: id,
    created_at: timestamp(created),
    updated_at: timestamp(created),
    extensions: {},
    ...extra,
  };
}

function task(id: string, status: Process['status'], extra: Partial<Process> = {}): Process {
  return { container_id: '', id, pid: 4242, status, terminal: false, exit_status: 0, exited_at: null, ...extra };
}

const berthLabels = (name: string, command: string[], more: Record<string, string> = {}) => ({
  'berth/name': name,
  'berth/image': 'busybox',
  'berth/image-id': IMAGE_ID,
  'berth/command': JSON.stringify(command),
  ...more,
});

const id = (char: string) => char.repeat(64);

describe('decodeRecord', () => {
  it('takes the state from the task when there is one', () => {
    const record = decodeRecord(
      fakeContainer(id('a'), berthLabels('web', ['sh'], { 'berth/started-at': '2026-12-04T17:58:55Z', 'com.x': 'y' }), '2026-12-04T17:58:55Z'),
      task(id('a'), 'RUNNING'),
    );
    assert.equal(record.status, 'running');
    assert.equal(record.name, 'web');
    assert.deepEqual(record.userLabels, { 'com.x': 'y' });
    assert.deepEqual(record.command, ['sh']);
    assert.equal(record.imageAsTyped, 'busybox');
    assert.equal(record.imageId, IMAGE_ID);
    assert.equal(record.task?.pid, 4242);
  });

  it('maps every task status', () => {
    const labels = berthLabels('x', ['true'], { 'berth/started-at': '2026-12-04T17:00:00Z' });
    const stateOf = (status: Process['status'], extra: Partial<Process> = {}) => decodeRecord(fakeContainer(id('a'), labels, '2026-12-04T17:00:00Z'), task(id('a'), status, extra));
    assert.equal(stateOf('PAUSED').status, 'paused');
    assert.equal(stateOf('PAUSING').status, 'paused');
    assert.equal(stateOf('CREATED').status, 'created');
    assert.equal(stateOf('UNKNOWN').status, 'dead');
    const stopped = stateOf('STOPPED', { exit_status: 3, exited_at: timestamp('2026-12-04T17:30:00Z') });
    assert.equal(stopped.status, 'exited');
    assert.equal(stopped.exitCode, 3);
    assert.equal(stopped.finishedAt?.toISOString(), '2026-12-04T17:30:00.000Z');
  });

  it('without a task, reads the exit berth recorded, else the container was never started', () => {
    const exited = decodeRecord(
      fakeContainer(id('a'), berthLabels('x', ['false'], { 'berth/exit-code': '1', 'berth/started-at': '2026-12-04T17:00:00Z', 'berth/finished-at': '2026-12-04T17:58:00Z' }), '2026-12-04T17:00:00Z'),
    );
    assert.equal(exited.status, 'exited');
    assert.equal(exited.exitCode, 1);
    const created = decodeRecord(fakeContainer(id('b'), berthLabels('y', ['true']), '2026-12-04T17:00:00Z'));
    assert.equal(created.status, 'created');
    const vanished = decodeRecord(fakeContainer(id('c'), berthLabels('z', ['true'], { 'berth/started-at': '2026-12-04T17:00:00Z' }), '2026-12-04T17:00:00Z'));
    assert.equal(vanished.status, 'exited');
    assert.equal(vanished.exitCode, 255);
  });

  it('names a container berth did not create by its ID, its image by containerd record', () => {
    const record = decodeRecord(fakeContainer(id('d'), { 'io.cri-containerd.kind': 'container' }, '2026-12-04T17:00:00Z'));
    assert.equal(record.name, id('d'));
    assert.equal(record.imageAsTyped, 'docker.io/library/busybox:latest');
    assert.equal(record.imageId, '');
  });
});

function record(name: string, char: string, created: string, state: 'running' | 'created' | 'exited' | 'paused', more: Record<string, string> = {}, command = ['sh']): ContainerRecord {
  const labels: Record<string, string> = berthLabels(name, command, more);
  let processTask: Process | undefined;
  if (state === 'running' || state === 'paused') {
    labels['berth/started-at'] ??= created;
    processTask = task(id(char), state === 'running' ? 'RUNNING' : 'PAUSED');
  } else if (state === 'exited') {
    labels['berth/started-at'] ??= created;
    labels['berth/exit-code'] ??= '0';
    labels['berth/finished-at'] ??= '2026-12-04T17:58:00Z';
  }
  return decodeRecord(fakeContainer(id(char), labels, created), processTask);
}

describe('statusText', () => {
  it("speaks Docker's words", () => {
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:59:57Z', 'running'), NOW), 'Up 3 seconds');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:58:55Z', 'running'), NOW), 'Up About a minute');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:59:55Z', 'paused'), NOW), 'Up 5 seconds (Paused)');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:00:00Z', 'exited'), NOW), 'Exited (0) 2 minutes ago');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:00:00Z', 'exited', { 'berth/exit-code': '137', 'berth/finished-at': '2026-12-04T15:00:00Z' }), NOW), 'Exited (137) 3 hours ago');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:00:00Z', 'created'), NOW), 'Created');
    assert.equal(statusText(record('a', 'a', '2026-12-04T17:59:59.5Z', 'running'), NOW), 'Up Less than a second');
  });
});

describe('ps rows', () => {
  it('quotes and shortens the command as the daemon and the CLI do', () => {
    assert.equal(commandText(['sh', '-c', 'while true; do sleep 1; done']), "sh -c 'while true; do sleep 1; done'");
    assert.equal(ellipsis("sh -c 'while true; do sleep 1; done'", 20), "sh -c 'while true; …");
    assert.equal(ellipsis('/tmp/some/very/long/path', 15), '/tmp/some/very…');
    assert.equal(ellipsis('true', 20), 'true');
    assert.equal(ellipsis('日本語のコマンド', 7), '日本語…');
  });

  it('shows the image as typed, familiar, or as a short ID', () => {
    assert.equal(imageText('busybox', IMAGE_ID, true), 'busybox');
    assert.equal(imageText('docker.io/library/busybox:1.36', IMAGE_ID, true), 'busybox:1.36');
    assert.equal(imageText(`busybox:1.36@sha256:${'c'.repeat(64)}`, IMAGE_ID, true), 'busybox:1.36');
    assert.equal(imageText(IMAGE_ID, IMAGE_ID, true), 'bbbbbbbbbbbb');
    assert.equal(imageText(IMAGE_ID, IMAGE_ID, false), IMAGE_ID);
    assert.equal(imageText('', IMAGE_ID, true), '<no image>');
  });

  it('prints the default table and {{json .}} as docker 28 does', () => {
    const web = record('web', 'a', '2026-12-04T17:58:55Z', 'running', { a: 'b', 'com.x': 'y' }, ['sh', '-c', 'while true; do sleep 1; done']);
    const other = record('other', 'c', '2026-12-04T17:59:57Z', 'exited', { 'berth/image': IMAGE_ID, 'berth/finished-at': '2026-12-04T17:59:58Z' }, ['true']);
    const sizes = new Map([[web.id, { rw: 0, rootFs: 4_260_000 }]]);
    const rows = [web, other].map((r) => containerRow(r, { truncate: true, now: NOW, sizes }));
    const table = {
      defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}',
      headers: { ID: 'CONTAINER ID', RunningFor: 'CREATED' },
    };
    assert.equal(
      formatList(rows, undefined, table),
      [
        'CONTAINER ID   IMAGE          COMMAND                  CREATED              STATUS                     PORTS     NAMES     SIZE',
        'aaaaaaaaaaaa   busybox        "sh -c \'while true; …"   About a minute ago   Up About a minute                    web       0B (virtual 4.26MB)',
        'cccccccccccc   bbbbbbbbbbbb   "true"                   3 seconds ago        Exited (0) 2 seconds ago             other     0B',
        '',
      ].join('\n'),
    );
    assert.equal(
      formatList([rows[0]], '{{json .}}', table),
      '{"Command":"\\"sh -c \'while true; …\\"","CreatedAt":"2026-12-04 17:58:55 +0000 UTC","ID":"aaaaaaaaaaaa","Image":"busybox","Labels":"a=b,com.x=y","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"","Platform":null,"Ports":"","RunningFor":"About a minute ago","Size":"0B (virtual 4.26MB)","State":"running","Status":"Up About a minute"}\n',
    );
    assert.equal(formatList([rows[0]], '{{.Label "com.x"}}|{{.Label "nope"}}|{{.State}}', table), 'y||running\n');
  });

  it("lays out the default table exactly as Docker's default template", () => {
    const records = [
      record('web', 'a', '2026-12-04T17:58:55Z', 'running', {}, ['sh', '-c', 'echo "quoted" \\ done']),
      record('other', 'c', '2026-12-04T17:59:57Z', 'exited', {}, ['true']),
    ];
    const options = { truncate: true, now: NOW, sizes: new Map([[id('a'), { rw: 1, rootFs: 2 }]]) };
    const rows = records.map((r) => containerRow(r, options));
    const template = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
    const headers = { ID: 'CONTAINER ID', RunningFor: 'CREATED' };
    assert.equal(defaultTable(records, options, false), formatList(rows, undefined, { defaultTable: `table ${template}`, headers }));
    assert.equal(defaultTable(records, options, true), formatList(rows, undefined, { defaultTable: `table ${template}\t{{.Size}}`, headers }));
    assert.ok(defaultTable(records, options, false).includes(`"sh -c 'echo \\"quoted…"`));
  });

  it('keeps the whole ID and command with --no-trunc', () => {
    const web = record('web', 'a', '2026-12-04T17:58:55Z', 'running', {}, ['sh', '-c', 'while true; do sleep 1; done']);
    const row = containerRow(web, { truncate: false, now: NOW });
    assert.equal(row.ID, id('a'));
    assert.equal(row.Command, '"sh -c \'while true; do sleep 1; done\'"');
  });

  it('lists mounts and networks from the stored intent', () => {
    const intent = { Image: 'busybox', HostConfig: { NetworkMode: 'host', Binds: ['/tmp/some/very/long/path:/data:ro'] } };
    const container = fakeContainer(id('e'), berthLabels('m', ['sh']), '2026-12-04T17:00:00Z', {
      extensions: { 'berth/intent': { type_url: 'berth/create-intent', value: Buffer.from(JSON.stringify(intent)) } },
    });
    const row = containerRow(decodeRecord(container), { truncate: true, now: NOW });
    assert.equal(row.Mounts, '/tmp/some/very…');
    assert.equal(row.Networks, 'host');
  });

  it('measures sizes only for templates that read them', () => {
    const render = (format: string) => (row: Record<string, unknown>) => formatList([row], format, { defaultTable: '', headers: {} });
    assert.equal(templateUsesSize('{{.ID}} {{.Size}}', render('{{.ID}} {{.Size}}')), true);
    assert.equal(templateUsesSize('{{json .}}', render('{{json .}}')), true);
    assert.equal(templateUsesSize('json', render('json')), true);
    assert.equal(templateUsesSize('{{.ID}}', render('{{.ID}}')), false);
    assert.equal(templateUsesSize(undefined, render('')), false);
  });
});

describe('ps selection', () => {
  // newest first, as listContainers returns them
  const records = sortNewestFirst([
    record('oldest', '1', '2026-12-04T10:00:00Z', 'exited', { 'berth/exit-code': '1', env: 'prod' }),
    record('old', '2', '2026-12-04T11:00:00Z', 'running', { env: 'dev' }),
    record('middle', '3', '2026-12-04T12:00:00Z', 'created'),
    record('new', '4', '2026-12-04T13:00:00Z', 'paused', { env: 'prod', tier: 'web' }),
    record('newest', '5', '2026-12-04T14:00:00Z', 'exited'),
  ]);
  const names = (filters: string[], options: { all?: boolean; last?: number } = {}) =>
    selectContainers(records, parseContainerFilters(filters), { all: options.all ?? false, last: options.last ?? -1 }).map((r) => r.name);

  it('shows running and paused containers by default, all with -a, newest first', () => {
    assert.deepEqual(names([]), ['new', 'old']);
    assert.deepEqual(names([], { all: true }), ['newest', 'new', 'middle', 'old', 'oldest']);
  });

  it('-n and -l take the last created, in any state', () => {
    assert.deepEqual(names([], { last: 2 }), ['newest', 'new']);
    assert.deepEqual(names(['status=running'], { last: 1 }), ['old']);
  });

  it("filters as Docker's daemon does", () => {
    assert.deepEqual(names(['status=exited']), ['newest', 'oldest']);
    assert.deepEqual(names(['status=exited', 'status=created']), ['newest', 'middle', 'oldest']);
    assert.deepEqual(names(['exited=1'], { all: true }), ['oldest']);
    assert.deepEqual(names(['exited=0']), []);
    assert.deepEqual(names(['name=^new'], { all: true }), ['newest', 'new']);
    assert.deepEqual(names(['name=^/old$'], { all: true }), ['old']);
    assert.deepEqual(names(['name=old$'], { all: true }), ['old']);
    assert.deepEqual(names([`id=${'3'.repeat(5)}`], { all: true }), ['middle']);
    assert.deepEqual(names(['label=env'], { all: true }), ['new', 'old', 'oldest']);
    assert.deepEqual(names(['label=env=prod', 'label=tier'], { all: true }), ['new']);
    assert.deepEqual(names(['before=middle'], { all: true }), ['old', 'oldest']);
    assert.deepEqual(names(['since=middle'], { all: true }), ['newest', 'new']);
    assert.deepEqual(names(['since=oldest', 'before=newest'], { all: true }), ['new', 'middle', 'old']);
    assert.deepEqual(names(['health=none']), ['new', 'old']);
    assert.deepEqual(names(['health=healthy']), []);
    assert.deepEqual(names(['is-task=true'], { all: true }), []);
  });

  it('matches ancestors by image ID, by descendants, and by name when the image is gone', () => {
    const base = { configDigest: IMAGE_ID, chainIds: ['sha256:l1', 'sha256:l2'] };
    const child = { configDigest: `sha256:${'e'.repeat(64)}`, chainIds: ['sha256:l1', 'sha256:l2', 'sha256:l3'] };
    const unrelated = { configDigest: `sha256:${'f'.repeat(64)}`, chainIds: ['sha256:x1'] };
    const set = ancestorSet([base], [base, child, unrelated], ['busybox'], []);
    assert.deepEqual([...set.imageIds].sort(), [IMAGE_ID, child.configDigest].sort());
    const all = selectContainers(records, parseContainerFilters(['ancestor=busybox']), { all: true, last: -1, ancestors: set });
    assert.equal(all.length, 5);
    const none = selectContainers(records, parseContainerFilters(['ancestor=other']), { all: true, last: -1, ancestors: ancestorSet([], [], ['other'], ['other']) });
    assert.equal(none.length, 0);
    const gone = selectContainers(records, parseContainerFilters(['ancestor=busybox']), { all: true, last: -1, ancestors: ancestorSet([], [], ['busybox'], ['busybox']) });
    assert.equal(gone.length, 5);
  });

  it('refuses bad filters with Docker words', () => {
    assert.throws(() => parseContainerFilters(['status']), (error: BerthError) => error.category === 'usage' && /expected name=value/.test(error.message));
    assert.throws(() => parseContainerFilters(['status=sleeping']), /invalid filter 'status=sleeping'/);
    assert.throws(() => parseContainerFilters(['colour=red']), /invalid filter 'colour'/);
    assert.throws(() => parseContainerFilters(['exited=x']), /invalid filter 'exited=x'/);
    assert.throws(() => parseContainerFilters(['publish=80']), (error: BerthError) => error.category === 'not-implemented');
    assert.throws(() => names(['before=nope'], { all: true }), /No such container: nope/);
  });
});

describe('resolveReference', () => {
  const records = [
    decodeRecord(fakeContainer(`abc1${'0'.repeat(60)}`, { 'berth/name': 'first' }, '2026-12-04T10:00:00Z')),
    decodeRecord(fakeContainer(`abc2${'0'.repeat(60)}`, { 'berth/name': 'abc1' }, '2026-12-04T11:00:00Z')),
    decodeRecord(fakeContainer(`def${'0'.repeat(61)}`, { 'berth/name': 'third' }, '2026-12-04T12:00:00Z')),
  ];
  const nameOf = (ref: string) => resolveReference(records, ref).name;

  it('tries the full ID, then the name, then a unique prefix', () => {
    assert.equal(nameOf(`abc1${'0'.repeat(60)}`), 'first');
    assert.equal(nameOf('abc1'), 'abc1'); // a name wins over an ID prefix, as in Docker
    assert.equal(nameOf('/third'), 'third');
    assert.equal(nameOf('de'), 'third');
    assert.equal(nameOf('abc2'), 'abc1');
  });

  it('reports ambiguity and absence as Docker does', () => {
    assert.throws(() => nameOf('abc'), (error: BerthError) => error.category === 'invalid-argument' && error.message === 'multiple IDs found with provided prefix: abc');
    assert.throws(() => nameOf('nope'), (error: BerthError) => error.category === 'not-found' && error.message === 'No such container: nope');
    assert.throws(() => nameOf(''), /No such container: /);
  });

  it('asks containerd only for the candidates', () => {
    assert.deepEqual(candidateFilters('abc'), ['labels."berth/name"=="abc"', 'id=="abc"', 'id~="^abc"']);
    assert.deepEqual(candidateFilters('/web'), ['labels."berth/name"=="web"']);
    assert.deepEqual(candidateFilters('web-1'), ['labels."berth/name"=="web-1"', 'id=="web-1"']);
    assert.equal(candidateFilters('a b'), undefined);
    assert.equal(candidateFilters('"'), undefined);
  });
});
