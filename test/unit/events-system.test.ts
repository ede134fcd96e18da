// `events`: containerd's topics mapped to Docker's actions, Docker's line and JSON, Docker's
// filters; `system df`: the summary's counts, sizes and reclaimable shares; prune filters.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { imageUsage, renderSummary, summaryRows, verboseImageRow } from '../../src/format/disk-usage.js';
import { eventLine, eventPrinter, rfc3339NanoFixedLocal } from '../../src/format/events.js';
import { EventTranslator, type ContainerFacts, type DockerEvent, type ImageFacts } from '../../src/runtime/events/docker-events.js';
import { eventMatches, parseEventFilters, withoutTag } from '../../src/runtime/events/filters.js';
import { parsePruneFilters, prunable } from '../../src/runtime/containers/prune.js';
import type { ContainerRecord } from '../../src/runtime/containers/record.js';

process.env.TZ = 'UTC';

const ID = 'c'.repeat(64);
const IMAGE_ID = `sha256:${'a'.repeat(64)}`;
const T0 = 1_700_000_000_123_456_789n;

function translator(containers: Map<string, ContainerFacts>, images: Map<string, ImageFacts> = new Map()) {
  return new EventTranslator({
    container: async (id) => containers.get(id),
    image: async (name) => images.get(name),
    images: async () => new Map(images),
  });
}

describe('events: containerd to Docker', () => {
  it('maps a container lifecycle with name, image and labels, and keeps them after the container is gone', async () => {
    const live = new Map([[ID, { name: 'web', image: 'busybox', labels: { tier: 'front' } }]]);
    const t = translator(live);
    const at = (seconds: bigint) => T0 + seconds * 1_000_000_000n;
    const seen: DockerEvent[] = [];
    seen.push(...(await t.translate({ topic: '/containers/create', timeNano: at(0n), payload: { id: ID, image: 'docker.io/library/busybox:latest' } })));
    seen.push(...(await t.translate({ topic: '/tasks/create', timeNano: at(1n), payload: { container_id: ID } })));
    seen.push(...(await t.translate({ topic: '/tasks/start', timeNano: at(1n), payload: { container_id: ID, pid: 42 } })));
    seen.push(...(await t.translate({ topic: '/tasks/paused', timeNano: at(2n), payload: { container_id: ID } })));
    seen.push(...(await t.translate({ topic: '/tasks/resumed', timeNano: at(3n), payload: { container_id: ID } })));
    seen.push(...(await t.translate({ topic: '/tasks/oom', timeNano: at(4n), payload: { container_id: ID } })));
    seen.push(...(await t.translate({ topic: '/tasks/exit', timeNano: at(5n), payload: { container_id: ID, id: 'exec1', exit_status: 2 } })));
    seen.push(...(await t.translate({ topic: '/tasks/exit', timeNano: at(8n), payload: { container_id: ID, id: ID, exit_status: 137, exited_at: { seconds: String(at(8n) / 1_000_000_000n), nanos: 0 } } })));
    seen.push(...(await t.translate({ topic: '/tasks/delete', timeNano: at(8n), payload: { container_id: ID } })));
    live.delete(ID);
    seen.push(...(await t.translate({ topic: '/containers/delete', timeNano: at(9n), payload: { id: ID } })));
    assert.deepEqual(
      seen.map((event) => event.action),
      ['create', 'start', 'pause', 'unpause', 'oom', 'exec_die', 'die', 'destroy'],
    );
    const base = { image: 'busybox', name: 'web', tier: 'front' };
    assert.deepEqual(seen[5].attributes, { ...base, execID: 'exec1', exitCode: '2' });
    assert.deepEqual(seen[6].attributes, { ...base, execDuration: '6', exitCode: '137' });
    assert.deepEqual(seen[7], { type: 'container', action: 'destroy', actorId: ID, attributes: base, timeNano: at(9n) });
  });

  it('names a container removed before it could be looked up by the image its create event carries', async () => {
    const [event] = await translator(new Map()).translate({ topic: '/containers/create', timeNano: T0, payload: { id: ID, image: 'busybox' } });
    assert.deepEqual(event.attributes, { image: 'busybox' });
  });

  it('reports a changed name label as a rename, and other label updates as nothing', async () => {
    const live = new Map([[ID, { name: 'old', image: 'busybox', labels: {} }]]);
    const t = translator(live);
    await t.translate({ topic: '/containers/create', timeNano: T0, payload: { id: ID } });
    assert.deepEqual(await t.translate({ topic: '/containers/update', timeNano: T0, payload: { id: ID } }), []);
    live.set(ID, { name: 'new', image: 'busybox', labels: {} });
    const [renamed] = await t.translate({ topic: '/containers/update', timeNano: T0, payload: { id: ID } });
    assert.equal(renamed.action, 'rename');
    assert.deepEqual(renamed.attributes, { image: 'busybox', name: 'new', oldName: '/old' });
  });

  it('maps image records: a first name is a pull, another name a tag, a name gone an untag, the last one a delete', async () => {
    const facts = (reference: string, repository: string): ImageFacts => ({ id: IMAGE_ID, reference, repository, labels: { maintainer: 'me' } });
    const lookups = new Map([['docker.io/library/busybox:latest', facts('busybox:latest', 'busybox')]]);
    const t3 = new EventTranslator({ container: async () => undefined, image: async (name) => lookups.get(name), images: async () => new Map() });
    const [pull] = await t3.translate({ topic: '/images/create', timeNano: T0, payload: { name: 'docker.io/library/busybox:latest' } });
    assert.deepEqual(pull, { type: 'image', action: 'pull', actorId: 'busybox:latest', attributes: { maintainer: 'me', name: 'busybox' }, timeNano: T0 });
    lookups.set('docker.io/library/mine:v1', facts('mine:v1', 'mine'));
    const [tag] = await t3.translate({ topic: '/images/create', timeNano: T0, payload: { name: 'docker.io/library/mine:v1' } });
    assert.deepEqual([tag.action, tag.actorId, tag.attributes.name], ['tag', IMAGE_ID, 'mine:v1']);
    const untag = await t3.translate({ topic: '/images/delete', timeNano: T0, payload: { name: 'docker.io/library/mine:v1' } });
    assert.deepEqual(untag.map((event) => event.action), ['untag']);
    const last = await t3.translate({ topic: '/images/delete', timeNano: T0, payload: { name: 'docker.io/library/busybox:latest' } });
    assert.deepEqual(last.map((event) => [event.action, event.actorId, event.attributes.name]), [['untag', IMAGE_ID, 'busybox:latest'], ['delete', IMAGE_ID, IMAGE_ID]]);
  });

  it('remembers the images that existed when the stream started', async () => {
    const t = translator(new Map(), new Map([['docker.io/library/old:1', { id: IMAGE_ID, reference: 'old:1', repository: 'old', labels: {} }]]));
    await t.prime();
    const events = await t.translate({ topic: '/images/delete', timeNano: T0, payload: { name: 'docker.io/library/old:1' } });
    assert.deepEqual(events.map((event) => event.action), ['untag', 'delete']);
  });
});

describe('events: output', () => {
  const event: DockerEvent = { type: 'container', action: 'die', actorId: ID, attributes: { name: 'web', image: 'busybox', exitCode: '3' }, timeNano: T0 };

  it("prints docker's line: local time with nine fraction digits, attributes sorted", () => {
    assert.equal(eventLine(event), `2023-11-14T22:13:20.123456789Z container die ${ID} (exitCode=3, image=busybox, name=web)`);
    assert.equal(eventLine({ ...event, attributes: {} }), `2023-11-14T22:13:20.123456789Z container die ${ID}`);
    assert.equal(rfc3339NanoFixedLocal(1_700_000_000_000_000_000n), '2023-11-14T22:13:20.000000000Z');
  });

  it("prints events.Message as JSON with Docker's keys, legacy fields for containers only", () => {
    const json = eventPrinter('{{json .}}');
    assert.equal(
      json(event),
      `{"status":"die","id":"${ID}","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"${ID}","Attributes":{"exitCode":"3","image":"busybox","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}\n`,
    );
    assert.equal(eventPrinter('json')(event), json(event));
    const image: DockerEvent = { type: 'image', action: 'tag', actorId: IMAGE_ID, attributes: { name: 'x:1' }, timeNano: T0 };
    assert.match(json(image), /^\{"status":"tag","id":"sha256:a+","Type":"image",/);
    assert.equal(eventPrinter('{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}')(event), 'container die web die\n');
  });

  it('fails on a bad template before any event, with exit code 64', () => {
    assert.throws(() => eventPrinter('{{.Nope}}'), (error: unknown) => error instanceof BerthError && error.exitCode === 64 && /^Error parsing format: /.test(error.message));
    assert.throws(() => eventPrinter('{{'), (error: unknown) => error instanceof BerthError && error.exitCode === 64);
  });
});

describe('events: filters', () => {
  const die: DockerEvent = { type: 'container', action: 'die', actorId: ID, attributes: { name: 'web', image: 'docker.io/library/busybox:1.36', tier: 'front', exitCode: '0' }, timeNano: T0 };
  const tag: DockerEvent = { type: 'image', action: 'tag', actorId: IMAGE_ID, attributes: { name: 'busybox:2' }, timeNano: T0 };
  const matches = (values: string[], event: DockerEvent) => eventMatches(parseEventFilters(values), event);

  it('ORs the values of a key and ANDs different keys', () => {
    assert.ok(matches(['event=start', 'event=die'], die));
    assert.ok(!matches(['event=start'], die));
    assert.ok(matches(['event=die', 'type=container'], die));
    assert.ok(!matches(['event=die', 'type=image'], die));
    assert.ok(matches(['type=image', 'type=container'], tag));
  });

  it('matches containers by name or ID prefix, images by name with or without the tag', () => {
    assert.ok(matches(['container=web'], die));
    assert.ok(matches(['container=ccc'], die));
    assert.ok(!matches(['container=db'], die));
    assert.ok(matches(['image=busybox'], die));
    assert.ok(matches(['image=docker.io/library/busybox:1.36'], die));
    assert.ok(matches(['image=busybox'], tag));
    assert.ok(matches([`image=${IMAGE_ID}`], tag));
    assert.ok(!matches(['image=alpine'], tag));
  });

  it('needs every label filter to match (Docker MatchKVList)', () => {
    assert.ok(matches(['label=tier'], die));
    assert.ok(matches(['label=tier=front'], die));
    assert.ok(!matches(['label=tier=front', 'label=other'], die));
    assert.ok(!matches(['label=tier=back'], die));
  });

  it('refuses unknown keys and values without =', () => {
    assert.throws(() => parseEventFilters(['colour=red']), /invalid filter 'colour'/);
    assert.throws(() => parseEventFilters(['event']), /bad format of filter/);
  });

  it('strips tags and the default registry as reference.FamiliarName does', () => {
    assert.equal(withoutTag('docker.io/library/busybox:1.36'), 'busybox');
    assert.equal(withoutTag('127.0.0.1:5000/x/y:2'), '127.0.0.1:5000/x/y');
    assert.equal(withoutTag('docker.io/user/app@sha256:' + 'b'.repeat(64)), 'user/app');
    assert.equal(withoutTag(IMAGE_ID), IMAGE_ID);
  });
});

describe('system df', () => {
  const layer = (key: string, size: number) => ({ key, size });
  const images = [
    { id: 'sha256:1', tags: ['base:1'], layers: [layer('L1', 1000), layer('L2', 500)], containers: 2 },
    { id: 'sha256:2', tags: ['app:1', 'app:latest'], layers: [layer('L1', 1000), layer('L3', 250)], containers: 0 },
    { id: 'sha256:3', tags: [], layers: [layer('L4', 250)], containers: 0 },
  ];

  it('counts shared layers once and splits each image into shared and unique', () => {
    const { images: measured, layersSize } = imageUsage(images);
    assert.equal(layersSize, 2000);
    assert.deepEqual(measured.map((image) => [image.size, image.sharedSize]), [[1500, 1000], [1250, 1000], [250, 0]]);
  });

  it("gives Docker's summary rows: active, sizes and reclaimable percentages", () => {
    const { images: measured, layersSize } = imageUsage(images);
    const rows = summaryRows(measured, layersSize, [{ active: true, sizeRw: 100 }, { active: false, sizeRw: 300 }, { active: false, sizeRw: 0 }]);
    assert.deepEqual(rows[0], { Active: '1', Reclaimable: '1.5kB (75%)', Size: '2kB', TotalCount: '3', Type: 'Images' });
    assert.deepEqual(rows[1], { Active: '1', Reclaimable: '300B (75%)', Size: '400B', TotalCount: '3', Type: 'Containers' });
    assert.deepEqual(rows[2], { Active: '0', Reclaimable: '0B', Size: '0B', TotalCount: '0', Type: 'Local Volumes' });
    assert.equal(rows[3].Type, 'Build Cache');
    assert.equal(
      renderSummary(rows, undefined),
      [
        'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
        'Images          3         1         2kB       1.5kB (75%)',
        'Containers      3         1         400B      300B (75%)',
        'Local Volumes   0         0         0B        0B',
        'Build Cache     0         0         0B        0B',
        '',
      ].join('\n'),
    );
    assert.equal(renderSummary(rows, 'json').split('\n')[0], '{"Active":"1","Reclaimable":"1.5kB (75%)","Size":"2kB","TotalCount":"3","Type":"Images"}');
  });

  it('shows nothing reclaimable as 0B without a percentage', () => {
    const rows = summaryRows([], 0, []);
    assert.equal(rows[0].Reclaimable, '0B');
    assert.equal(rows[1].Reclaimable, '0B');
  });

  it('-v rows: the first tag, a short ID in tables, <none> for a dangling image', () => {
    const { images: measured } = imageUsage(images);
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.deepEqual(verboseImageRow({ ...measured[1], id: IMAGE_ID }, { truncate: true, now }), {
      Containers: '0', CreatedSince: '', ID: 'a'.repeat(12), Repository: 'app', SharedSize: '1kB', Size: '1.25kB', Tag: '1', UniqueSize: '250B',
    });
    const dangling = verboseImageRow({ ...measured[2], created: new Date(now - 3 * 3_600_000) }, { truncate: false, now });
    assert.deepEqual([dangling.Repository, dangling.Tag, dangling.ID, dangling.CreatedSince], ['<none>', '<none>', 'sha256:3', '3 hours ago']);
  });
});

describe('container prune filters', () => {
  const record = (status: ContainerRecord['status'], labels: Record<string, string>, created = new Date('2024-01-01T00:00:00Z')) =>
    ({ status, userLabels: labels, created }) as ContainerRecord;

  it('takes stopped and created containers, never running or paused ones', () => {
    const none = parsePruneFilters([]);
    assert.deepEqual(
      (['exited', 'created', 'dead', 'running', 'paused', 'restarting'] as const).map((status) => prunable(record(status, {}), none)),
      [true, true, true, false, false, false],
    );
  });

  it('applies until, label and label! as Docker does', () => {
    const now = new Date('2024-01-02T00:00:00Z');
    assert.ok(prunable(record('exited', {}), parsePruneFilters(['until=1h'], now)));
    assert.ok(!prunable(record('exited', {}), parsePruneFilters(['until=2023-12-31T00:00:00Z'], now)));
    assert.ok(prunable(record('exited', { a: '1' }), parsePruneFilters(['label=a=1'])));
    assert.ok(!prunable(record('exited', { a: '1' }), parsePruneFilters(['label=a=1', 'label=b'])));
    assert.ok(!prunable(record('exited', { keep: 'yes' }), parsePruneFilters(['label!=keep'])));
    assert.ok(prunable(record('exited', {}), parsePruneFilters(['label!=keep'])));
    assert.throws(() => parsePruneFilters(['dangling=true']), /invalid filter 'dangling'/);
  });
});
