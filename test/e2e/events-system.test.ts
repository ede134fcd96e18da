// events, container prune, system df and system prune against the private containerd.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tarball } from '../world/tar.js';
import { Background, eventually, lines, scene, type Berth } from './containers-kit.js';

interface Message {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

const messages = (events: Background): Message[] => lines(events.stdout).map((line) => JSON.parse(line) as Message);

/**
 * containerd gives no sign that a subscription is in place: containers that exit are run until
 * the stream shows one, so that what the test does next is surely seen.
 */
async function untilListening(b: Berth, img: string, events: Background): Promise<void> {
  let probes = 0;
  await eventually(
    () => `a probe's die in the events output\n${events.stdout}\n${events.stderr}`,
    async () => {
      const probe = await b(['run', '--rm', '--name', `probe${probes++}`, img, 'true']);
      assert.equal(probe.code, 0, probe.stderr);
      return /"die"|\sdie\s/.test(events.stdout);
    },
    60_000,
    0,
  );
}

const check = (result: { code: number; stderr: string }) => assert.equal(result.code, 0, result.stderr);

describe('events', () => {
  it('streams create, start, die (with exitCode) and destroy of a container run with --rm, as Docker JSON', async () => {
    await scene(async ({ namespace, b, img }) => {
      const events = new Background(['-n', namespace, 'events', '--format', '{{json .}}']);
      try {
        await untilListening(b, img, events);
        const ran = await b(['run', '--rm', '--name', 'watched', '-l', 'tier=web', img, 'sh', '-c', 'exit 3']);
        assert.equal(ran.code, 3, ran.stderr);
        await eventually(() => `watched's destroy\n${events.stdout}`, async () => messages(events).some((m) => m.Action === 'destroy' && m.Actor.Attributes.name === 'watched'), 20_000);
        const watched = messages(events).filter((m) => m.Actor.Attributes.name === 'watched');
        assert.deepEqual(watched.map((m) => m.Action), ['create', 'start', 'die', 'destroy']);
        const id = watched[0].Actor.ID;
        assert.match(id, /^[0-9a-f]{64}$/);
        for (const m of watched) {
          assert.equal(m.Type, 'container');
          assert.equal(m.scope, 'local');
          assert.equal(m.status, m.Action);
          assert.equal(m.id, id);
          assert.equal(m.from, img);
          assert.equal(m.Actor.Attributes.image, img);
          assert.equal(m.Actor.Attributes.tier, 'web');
          assert.equal(Math.floor(m.timeNano / 1e9), m.time);
        }
        assert.equal(watched[2].Actor.Attributes.exitCode, '3');
        assert.equal(events.ended, undefined, events.stderr);
      } finally {
        events.kill('SIGINT');
        await events.exited;
      }
    });
  });

  it('--filter event=die shows only deaths; the default line is docker\'s', async () => {
    await scene(async ({ namespace, b, img }) => {
      const events = new Background(['-n', namespace, 'events', '--filter', 'event=die']);
      try {
        await untilListening(b, img, events);
        const dying = await b(['run', '--name', 'dying', img, 'sh', '-c', 'exit 7']);
        assert.equal(dying.code, 7, dying.stderr);
        check(await b(['rm', 'dying']));
        await events.waitFor(/name=dying/, 20_000);
        const seen = lines(events.stdout);
        assert.ok(seen.every((line) => / container die [0-9a-f]{64} \(/.test(line)), events.stdout);
        const line = seen.find((candidate) => candidate.includes('name=dying'))!;
        assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container die [0-9a-f]{64} \(execDuration=\d+, exitCode=7, image=[^,]+, name=dying\)$/);
      } finally {
        events.kill('SIGINT');
        await events.exited;
      }
    });
  });

  it('--until ends the stream at that time; --since in the past says containerd keeps no history', async () => {
    await scene(async ({ namespace }) => {
      const started = Date.now();
      const events = new Background(['-n', namespace, 'events', '--since', '10m', '--until', String(Math.ceil(started / 1000) + 3)]);
      const code = await events.exited;
      assert.equal(code, 0, events.stderr);
      assert.ok(Date.now() - started >= 2000, 'ended before --until');
      assert.match(events.stderr, /containerd keeps no event history/);
      const past = new Background(['-n', namespace, 'events', '--until', '1h']);
      assert.equal(await past.exited, 0, past.stderr);
    });
  });
});

describe('prune and df', () => {
  it('container prune -f removes exited containers and keeps running ones', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['create', '--name', 'made', img, 'true']));
      const exited = await b(['run', '--name', 'done', img, 'true']);
      check(exited);
      const running = await b(['run', '-d', '--name', 'up', img, 'sleep', '300']);
      check(running);
      const ids = lines((await b(['ps', '-aq', '--no-trunc'])).stdout);
      const pruned = await b(['container', 'prune', '-f']);
      check(pruned);
      const out = pruned.stdout.split('\n');
      assert.equal(out[0], 'Deleted Containers:');
      const deleted = out.slice(1, out.indexOf(''));
      assert.equal(deleted.length, 2, pruned.stdout);
      assert.ok(deleted.every((id) => ids.includes(id)));
      assert.match(pruned.stdout, /\n\nTotal reclaimed space: [\d.]+k?B\n$/);
      assert.deepEqual(lines((await b(['ps', '-a', '--format', '{{.Names}}'])).stdout), ['up']);
      check(await b(['rm', '-f', 'up']));
    });
  });

  it('system df counts agree with images and ps -a', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['run', '--name', 'done', img, 'sh', '-c', 'echo data > /file']));
      check(await b(['run', '-d', '--name', 'up', img, 'sleep', '300']));
      const imported = await b(['import', '-', 'local/extra:1'], { input: tarball([{ type: 'file', path: 'hello', data: 'hi\n' }]) });
      check(imported);
      const df = await b(['system', 'df', '--format', '{{json .}}']);
      check(df);
      const rows = lines(df.stdout).map((line) => JSON.parse(line) as Record<string, string>);
      assert.deepEqual(rows.map((row) => row.Type), ['Images', 'Containers', 'Local Volumes', 'Build Cache']);
      const imageIds = new Set(lines((await b(['images', '--format', '{{.ID}}'])).stdout));
      assert.equal(rows[0].TotalCount, String(imageIds.size));
      assert.equal(imageIds.size, 2);
      assert.equal(rows[0].Active, '1'); // the fixture has containers, the import none
      const all = lines((await b(['ps', '-a', '--format', '{{.State}}'])).stdout);
      assert.equal(rows[1].TotalCount, String(all.length));
      assert.equal(rows[1].Active, String(all.filter((state) => state === 'running').length));
      assert.equal(rows[1].Active, '1');
      assert.match(rows[1].Reclaimable, /^[\d.]+k?B \(\d+%\)$/);
      const table = await b(['system', 'df']);
      assert.match(table.stdout, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +2 +1 /);
      const verbose = await b(['system', 'df', '-v']);
      check(verbose);
      assert.match(verbose.stdout, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
      assert.match(verbose.stdout, /\nlocal\/extra +1 +[0-9a-f]{12} /);
      assert.match(verbose.stdout, /\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n/);
      assert.match(verbose.stdout, /\nBuild cache usage: 0B\n/);
      check(await b(['rm', '-f', 'up']));
    });
  });

  it('system prune -f removes stopped containers and dangling images, keeps the rest', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['run', '--name', 'done', img, 'true']));
      check(await b(['run', '-d', '--name', 'up', img, 'sleep', '300']));
      const dir = await mkdtemp(join(tmpdir(), 'berth-prune-'));
      const layer = join(dir, 'layer.tar');
      await writeFile(layer, tarball([{ type: 'file', path: 'hello', data: 'dangling\n' }]));
      // no repository: an untagged, dangling image
      const dangling = await b(['import', layer]);
      await rm(dir, { recursive: true, force: true });
      check(dangling);
      const danglingId = dangling.stdout.trim();
      const pruned = await b(['system', 'prune', '-f']);
      check(pruned);
      assert.match(pruned.stdout, /^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Images:\n/);
      assert.ok(pruned.stdout.includes(`deleted: ${danglingId}`), pruned.stdout);
      assert.match(pruned.stdout, /\nTotal reclaimed space: [\d.]+k?B\n$/);
      assert.deepEqual(lines((await b(['ps', '-a', '--format', '{{.Names}}'])).stdout), ['up']);
      const ids = lines((await b(['images', '-q', '--no-trunc'])).stdout);
      assert.ok(!ids.includes(danglingId));
      assert.equal(ids.length, 1);
      const asked = await b(['system', 'prune'], { input: 'n\n' });
      check(asked);
      assert.match(asked.stderr, /^WARNING! This will remove:\n {2}- all stopped containers\n {2}- all dangling images\n\nAre you sure you want to continue\? \[y\/N\] /);
      check(await b(['rm', '-f', 'up']));
    });
  });
});
