// images, image inspect, history, rmi, image prune: what a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { berth, ctr, removeNamespace, uniqueName, world } from './harness.js';

async function withNamespace(work: (namespace: string, run: (...args: string[]) => ReturnType<typeof berth>) => Promise<void>): Promise<void> {
  const namespace = uniqueName('img');
  try {
    await work(namespace, (...args) => berth(['-n', namespace, ...args]));
  } finally {
    await removeNamespace(namespace);
  }
}

const rows = (text: string) => text.split('\n').filter(Boolean);

test('images: Docker 28 columns, IMAGE ID is the config digest, --digests, -q, --format fields', async () => {
  await withNamespace(async (_namespace, run) => {
    const { single, multi } = world().fixtures;
    assert.equal((await run('pull', '-q', single.ref)).code, 0);
    assert.equal((await run('pull', '-q', multi.ref)).code, 0);
    const listed = await run('images');
    assert.equal(listed.code, 0, listed.stderr);
    const lines = rows(listed.stdout);
    assert.match(lines[0], /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    const singleRow = lines.find((line) => line.startsWith(`${world().registry.host}/fixtures/single `));
    assert.match(singleRow ?? '', new RegExp(`^\\S+ +latest +${single.configDigest.slice(7, 19)} +\\S.* ago +[\\d.]+[kM]B$`));
    const digests = await run('images', '--digests');
    assert.match(rows(digests.stdout)[0], /^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
    assert.ok(digests.stdout.includes(multi.manifestDigest));
    const quiet = await run('images', '-q', '--no-trunc');
    assert.deepEqual(rows(quiet.stdout).sort(), [single.configDigest, multi.configDigest].sort());
    const formatted = await run('images', '--format', '{{.Repository}}|{{.Tag}}|{{.Platform}}');
    assert.ok(rows(formatted.stdout).includes(`${world().registry.host}/fixtures/multi|latest|linux/amd64`));
    const json = rows((await run('images', '--format', 'json')).stdout).map((line) => JSON.parse(line));
    assert.equal(json.length, 2);
    assert.ok(json.every((item) => typeof item.ID === 'string' && typeof item.Size === 'string' && typeof item.BlobSize === 'string'));
    const filtered = await run('images', '--filter', 'reference=*/fixtures/mul*', '-q');
    assert.deepEqual(rows(filtered.stdout), [multi.configDigest.slice(7, 19)]);
    const byLabel = await run('images', '--filter', 'label=org.berth.fixture=multi', '-q');
    assert.deepEqual(rows(byLabel.stdout), [multi.configDigest.slice(7, 19)]);
    const byArgument = await run('images', `${world().registry.host}/fixtures/single`, '-q');
    assert.deepEqual(rows(byArgument.stdout), [single.configDigest.slice(7, 19)]);
  });
});

test('images shows the platform pulled with --platform', async () => {
  await withNamespace(async (_namespace, run) => {
    assert.equal((await run('pull', '-q', '--platform', 'linux/arm64', world().fixtures.index.ref)).code, 0);
    const formatted = await run('images', '--format', '{{.Platform}}');
    assert.match(formatted.stdout, /^linux\/arm64/);
  });
});

test('image inspect: Docker JSON with Id = config digest, RepoTags, RepoDigests, Config; --format; by ID prefix', async () => {
  await withNamespace(async (_namespace, run) => {
    const { multi } = world().fixtures;
    await run('pull', '-q', multi.ref);
    const inspected = await run('image', 'inspect', multi.ref);
    assert.equal(inspected.code, 0, inspected.stderr);
    const [image] = JSON.parse(inspected.stdout);
    assert.equal(image.Id, multi.configDigest);
    assert.deepEqual(image.RepoTags, [multi.ref]);
    assert.deepEqual(image.RepoDigests, [`${multi.ref.replace(/:latest$/, '')}@${multi.manifestDigest}`]);
    assert.deepEqual(image.Config.Entrypoint, ['echo', 'entry']);
    assert.equal(image.Config.WorkingDir, '/data');
    assert.equal(image.RootFS.Layers.length, 3);
    assert.equal(image.Os, 'linux');
    const byPrefix = await run('image', 'inspect', '--format', '{{.Id}} {{index .Config.Labels "org.berth.fixture"}}', multi.configDigest.slice(7, 13));
    assert.equal(byPrefix.stdout, `${multi.configDigest} multi\n`);
    const missing = await run('image', 'inspect', 'nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '[]\n');
    assert.match(missing.stderr, /No such image: nope/);
  });
});

test('history: newest first, the image ID on top, one row per history entry', async () => {
  await withNamespace(async (_namespace, run) => {
    const { multi } = world().fixtures;
    await run('pull', '-q', multi.ref);
    const history = await run('history', multi.ref);
    assert.equal(history.code, 0, history.stderr);
    const lines = rows(history.stdout);
    assert.match(lines[0], /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    assert.equal(lines.length, 4);
    assert.ok(lines[1].startsWith(multi.configDigest.slice(7, 19)));
    assert.ok(lines[2].startsWith('<missing>'));
  });
});

test('rmi: untag and delete, conflicts unless -f, content freed', async () => {
  await withNamespace(async (namespace, run) => {
    const { single, schema2 } = world().fixtures; // same config: one image, two repositories
    await run('pull', '-q', single.ref);
    await run('pull', '-q', schema2.ref);
    const ambiguous = await run('rmi', single.configDigest.slice(7, 19));
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /referenced in multiple repositories/);
    const untagged = await run('rmi', schema2.ref);
    assert.equal(untagged.code, 0, untagged.stderr);
    assert.equal(untagged.stdout, `Untagged: ${schema2.ref}\n`);
    assert.equal((await ctr(['containers', 'create', single.ref, 'user-1'], namespace)).code, 0);
    const inUse = await run('rmi', single.ref);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /container user-1 is using its referenced image/);
    const forced = await run('rmi', '-f', single.ref);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(rows(forced.stdout), [`Untagged: ${single.ref}`, `Deleted: ${single.configDigest}`]);
    await ctr(['containers', 'rm', 'user-1'], namespace);
    assert.equal((await ctr(['content', 'ls', '-q'], namespace)).stdout.trim(), '');
    const missing = await run('rmi', 'nope', 'alsonope');
    assert.equal(missing.code, 1);
    assert.deepEqual(rows(missing.stderr), ['No such image: nope', 'No such image: alsonope']);
  });
});

test('image prune: asks first; -f removes dangling images and reports the space; -a removes unused ones', async () => {
  await withNamespace(async (_namespace, run) => {
    const { single, multi } = world().fixtures;
    await run('pull', '-q', `${single.ref.replace(/:latest$/, '')}@${single.manifestDigest}`);
    await run('pull', '-q', multi.ref);
    const declined = await berth(['-n', _namespace, 'image', 'prune'], { input: 'n\n' });
    assert.equal(declined.code, 0);
    assert.match(declined.stderr, /Are you sure you want to continue\? \[y\/N\]/);
    assert.equal(rows((await run('images', '-q')).stdout).length, 2);
    const pruned = await run('image', 'prune', '-f');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^Deleted Images:\nuntagged: .*fixtures\/single@sha256:/);
    // the base layer is shared with the multi fixture, so only the single image's own blobs go
    assert.match(pruned.stdout, /\n\nTotal reclaimed space: [\d.]+(B|kB|MB)\n$/);
    assert.deepEqual(rows((await run('images', '-q')).stdout), [multi.configDigest.slice(7, 19)]);
    const all = await run('image', 'prune', '-a', '-f');
    assert.match(all.stdout, /deleted: sha256:/);
    assert.equal((await run('images', '-q')).stdout, '');
  });
});
