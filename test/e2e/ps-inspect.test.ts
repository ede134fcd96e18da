// ps and inspect against the private containerd, on containers made with ctr and labelled the
// way berth labels its own (until `run` lands, ctr is what can make them).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { berth, ctr, inFreshNamespace, world } from './harness.js';

const hex = () => randomBytes(32).toString('hex');

interface Made {
  running: string;
  exited: string;
  created: string;
  foreign: string;
}

async function makeContainers(namespace: string): Promise<Made> {
  const { ref, configDigest } = world().fixtures.single;
  const pulled = await berth(['-n', namespace, 'pull', '-q', ref]);
  assert.equal(pulled.code, 0, pulled.stderr);
  const made: Made = { running: hex(), exited: hex(), created: hex(), foreign: hex() };
  const berthLabels = (name: string, command: string[]) => [
    '--label', `berth/name=${name}`,
    '--label', `berth/image=${ref}`,
    '--label', `berth/image-id=${configDigest}`,
    '--label', `berth/command=${JSON.stringify(command)}`,
  ];
  const check = (result: { code: number; stderr: string }) => assert.equal(result.code, 0, result.stderr);
  check(await ctr(['containers', 'create', ...berthLabels('done', ['false']), '--label', 'berth/exit-code=1', '--label', 'berth/started-at=2026-01-01T00:00:00Z', '--label', 'berth/finished-at=2026-01-01T00:00:01Z', ref, made.exited, 'false'], namespace));
  check(await ctr(['containers', 'create', ...berthLabels('fresh', ['true']), '--label', 'tier=web', ref, made.created, 'true'], namespace));
  check(await ctr(['containers', 'create', '--label', 'owner=ctr', ref, made.foreign, 'true'], namespace));
  check(
    await ctr(
      ['run', '-d', '--runc-root', `${world().tmp}/runc`, '--fifo-dir', `${world().tmp}/fifo`,
        ...berthLabels('web', ['sh', '-c', 'while true; do sleep 1; done']), '--label', `berth/started-at=${new Date().toISOString()}`, '--label', 'tier=web',
        ref, made.running, 'sh', '-c', 'while true; do sleep 1; done'],
      namespace,
    ),
  );
  return made;
}

async function stopRunning(namespace: string, id: string): Promise<void> {
  await ctr(['tasks', 'kill', '-s', 'SIGKILL', id], namespace);
  for (let i = 0; i < 50; i++) {
    if ((await ctr(['tasks', 'rm', id], namespace)).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ps and inspect', () => {
  it('lists, filters, finds and inspects containers', async () => {
    await inFreshNamespace('ps', async (namespace) => {
      const made = await makeContainers(namespace);
      try {
        const b = (...args: string[]) => berth(['-n', namespace, ...args]);

        const running = await b('ps');
        assert.equal(running.code, 0, running.stderr);
        const lines = running.stdout.trimEnd().split('\n');
        assert.match(lines[0], /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
        assert.equal(lines.length, 2);
        assert.match(lines[1], new RegExp(`^${made.running.slice(0, 12)} .* "sh -c 'while true; …" .* Up .* web$`));

        const all = await b('ps', '-a', '--format', '{{.Names}}|{{.State}}|{{.Status}}');
        assert.equal(all.code, 0, all.stderr);
        const rows = all.stdout.trimEnd().split('\n');
        assert.equal(rows.length, 4);
        assert.equal(rows[0].split('|')[0], 'web'); // newest first
        assert.ok(rows.includes('done|exited|Exited (1) ' + rows.find((row) => row.startsWith('done|'))!.split('Exited (1) ')[1]));
        assert.ok(rows.includes('fresh|created|Created'));
        assert.ok(rows.includes(`${made.foreign}|created|Created`));

        assert.equal((await b('ps', '-q')).stdout, `${made.running.slice(0, 12)}\n`);
        assert.equal((await b('ps', '-aq', '--no-trunc', '--filter', 'status=exited')).stdout, `${made.exited}\n`);
        assert.equal((await b('ps', '--format', '{{.Names}}', '--filter', 'label=tier=web', '-a')).stdout, 'web\nfresh\n');
        assert.equal((await b('ps', '--format', '{{.Names}}', '-a', '--filter', `ancestor=${world().fixtures.single.ref}`, '--filter', 'name=^/(web|done)$')).stdout, 'web\ndone\n');
        assert.equal((await b('ps', '-n', '1', '--format', '{{.ID}}', '--no-trunc')).stdout, `${made.running}\n`);
        assert.equal((await b('ps', '-l', '-q')).stdout, `${made.running.slice(0, 12)}\n`);

        const sized = await b('ps', '-a', '-s', '--filter', 'name=web', '--format', '{{.Size}}');
        assert.match(sized.stdout, /^\d+(\.\d+)?[kMG]?B \(virtual \d+(\.\d+)?[kMG]?B\)\n$/);

        const json = await b('ps', '--format', '{{json .}}');
        const row = JSON.parse(json.stdout) as Record<string, unknown>;
        assert.deepEqual(Object.keys(row), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);

        const bad = await b('ps', '--filter', 'status=sleeping');
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /invalid filter 'status=sleeping'/);

        // by name, /name, full ID and unique prefix
        for (const ref of ['web', '/web', made.running, made.running.slice(0, 7)]) {
          const found = await b('inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.Running}}', ref);
          assert.equal(found.stdout, '/web running true\n', `${ref}: ${found.stderr}`);
        }
        const whole = await b('container', 'inspect', 'web', 'done');
        assert.equal(whole.code, 0, whole.stderr);
        const [web, done] = JSON.parse(whole.stdout) as Record<string, any>[];
        assert.equal(web.Id, made.running);
        assert.equal(web.Image, world().fixtures.single.configDigest);
        assert.equal(web.Config.Image, world().fixtures.single.ref);
        // ctr adds containerd's own stop-signal label; berth's labels stay hidden
        assert.equal(web.Config.Labels.tier, 'web');
        assert.ok(!Object.keys(web.Config.Labels).some((key) => key.startsWith('berth/')));
        assert.ok(web.State.Pid > 0);
        assert.equal(web.State.FinishedAt, '0001-01-01T00:00:00Z');
        assert.equal(web.Path, 'sh');
        assert.equal(done.State.ExitCode, 1);
        assert.equal(done.State.FinishedAt, '2026-01-01T00:00:01Z');

        const size = await b('inspect', '-s', '--format', '{{.SizeRw}} {{.SizeRootFs}}', 'web');
        assert.match(size.stdout, /^\d+ \d+\n$/);

        const missing = await b('container', 'inspect', 'nope');
        assert.equal(missing.code, 1);
        assert.equal(missing.stdout, '[]\n');
        assert.match(missing.stderr, /No such container: nope/);

        const object = await b('inspect', 'nope');
        assert.equal(object.code, 1);
        assert.match(object.stderr, /No such object: nope/);

        // no container by that name: the image is inspected, as Docker's generic inspect does
        const image = await b('inspect', '--format', '{{.Id}}', world().fixtures.single.ref);
        assert.equal(image.stdout, `${world().fixtures.single.configDigest}\n`);
        const typed = await b('inspect', '--type', 'container', world().fixtures.single.ref);
        assert.equal(typed.code, 1);
      } finally {
        await stopRunning(namespace, made.running);
      }
    });
  });

  it('reports an ambiguous ID prefix', async () => {
    await inFreshNamespace('psamb', async (namespace) => {
      const { ref } = world().fixtures.single;
      await berth(['-n', namespace, 'pull', '-q', ref]);
      const prefix = 'abcd';
      for (const id of [`${prefix}1${hex().slice(5)}`, `${prefix}2${hex().slice(5)}`]) {
        const created = await ctr(['containers', 'create', ref, id, 'true'], namespace);
        assert.equal(created.code, 0, created.stderr);
      }
      const result = await berth(['-n', namespace, 'inspect', prefix]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /multiple IDs found with provided prefix: abcd/);
    });
  });
});
