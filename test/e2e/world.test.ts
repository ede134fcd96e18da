// Smoke test of the private test world itself, through ctr and plain HTTP only,
// so it holds whatever state berth is in.

import assert from 'node:assert/strict';
import { readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ctr, uniqueName, world, type FixtureName, type Result } from './harness.js';

function ok(result: Result, what: string): Result {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
  return result;
}

/**
 * `ctr run --rm`, with runc's state and the IO fifos in the world's temp dir
 * rather than ctr's defaults under /run/containerd.
 */
function run(ns: string, ref: string, args: string[] = []): Promise<Result> {
  const { tmp } = world();
  const state = ['--runc-root', join(tmp, 'runc'), '--fifo-dir', join(tmp, 'fifo')];
  return ctr(['run', '--rm', ...state, ref, uniqueName('c'), ...args], ns);
}

/** Deletes everything in `ns`, then `ns` itself and the cgroups ctr made for it. */
async function removeNamespace(ns: string): Promise<void> {
  const ids = async (...args: string[]) => (await ctr([...args, 'ls', '-q'], ns)).stdout.split('\n').filter(Boolean);
  for (const id of await ids('tasks')) await ctr(['tasks', 'rm', '--force', id], ns);
  for (const id of await ids('containers')) await ctr(['containers', 'rm', id], ns);
  const images = await ids('images');
  // --sync waits for the garbage collector, which must free content and snapshots before the namespace can go.
  if (images.length > 0) ok(await ctr(['images', 'rm', '--sync', ...images], ns), 'ctr images rm');
  ok(await ctr(['namespaces', 'rm', ns]), `ctr namespaces rm ${ns}`);
  // ctr puts a container's cgroup at /<namespace>/<id>; runc removes only the leaf.
  for (const hierarchy of await readdir('/sys/fs/cgroup')) {
    await rmdir(join('/sys/fs/cgroup', hierarchy, ns)).catch(() => {});
  }
}

test('containerd answers with a 1.6 server', async () => {
  const { stdout } = ok(await ctr(['version']), 'ctr version');
  assert.match(stdout, /Server:\s+Version:\s+1\.6\./);
});

describe('fixture images in the open registry', () => {
  const ns = uniqueName('world');
  before(async () => {
    const { single, multi } = world().fixtures;
    for (const ref of [single.ref, multi.ref]) {
      ok(await ctr(['images', 'pull', '--plain-http', ref], ns), `pull ${ref}`);
    }
  });
  after(() => removeNamespace(ns));

  test('single runs a command', async () => {
    const result = ok(await run(ns, world().fixtures.single.ref, ['echo', 'hello']), 'run');
    assert.equal(result.stdout, 'hello\n');
  });

  test('multi applies its whiteout and opaque directory', async () => {
    const script =
      'cat /data/keep.txt; for f in /data/gone.txt /opaque/old.txt /opaque/new.txt; do ' +
      '[ -e $f ] && echo "$f present" || echo "$f absent"; done';
    const result = ok(await run(ns, world().fixtures.multi.ref, ['sh', '-c', script]), 'run');
    assert.equal(result.stdout, 'keep\n/data/gone.txt absent\n/opaque/old.txt absent\n/opaque/new.txt present\n');
  });

  test('multi runs its entrypoint with its cmd', async () => {
    const result = ok(await run(ns, world().fixtures.multi.ref), 'run');
    assert.equal(result.stdout, 'entry from-cmd\n');
  });
});

test('pulling the index for linux/arm64 gets the arm64 image only', async (t) => {
  const ns = uniqueName('world');
  t.after(() => removeNamespace(ns));
  const { ref, manifestDigest, platforms } = world().fixtures.index;
  assert.ok(platforms, 'the index fixture lists its platforms');
  ok(await ctr(['images', 'pull', '--plain-http', '--platform', 'linux/arm64', ref], ns), 'pull');

  const images = ok(await ctr(['images', 'ls'], ns), 'images ls').stdout;
  const row = images.split('\n').find((line) => line.startsWith(`${ref} `));
  assert.ok(row?.includes(manifestDigest), `the image is the index:\n${images}`);
  const config = ok(await ctr(['content', 'get', platforms['linux/arm64'].configDigest], ns), 'content get');
  assert.equal(JSON.parse(config.stdout).architecture, 'arm64');
  const amd64 = await ctr(['content', 'get', platforms['linux/amd64'].manifestDigest], ns);
  assert.notEqual(amd64.code, 0, 'the amd64 manifest was not fetched');
});

test('the registry serves each fixture as written to its OCI layout', async () => {
  const { registry, fixtures } = world();
  const mediaTypes: Record<FixtureName, string> = {
    single: 'application/vnd.oci.image.manifest.v1+json',
    multi: 'application/vnd.oci.image.manifest.v1+json',
    schema2: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.oci.image.index.v1+json',
    pause: 'application/vnd.oci.image.manifest.v1+json',
  };
  for (const name of Object.keys(mediaTypes) as FixtureName[]) {
    const fixture = fixtures[name];
    const repository = fixture.ref.slice(`${registry.host}/`.length, -':latest'.length);
    const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/latest`, {
      headers: { accept: Object.values(mediaTypes).join(', ') },
    });
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), mediaTypes[name], name);
    assert.equal(res.headers.get('docker-content-digest'), fixture.manifestDigest, name);
    const served = Buffer.from(await res.arrayBuffer());

    const index = JSON.parse(await readFile(join(fixture.layout, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, fixture.manifestDigest, name);
    const blob = join(fixture.layout, 'blobs', 'sha256', fixture.manifestDigest.slice('sha256:'.length));
    assert.deepEqual(await readFile(blob), served, name);
  }
});

test('the auth registry wants Basic credentials and holds single', async () => {
  const { authRegistry, fixtures } = world();
  const base = `http://${authRegistry.host}/v2/`;
  const anonymous = await fetch(base);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic /);

  const basic = (password: string) => `Basic ${Buffer.from(`${authRegistry.username}:${password}`).toString('base64')}`;
  const authorization = basic(authRegistry.password);
  assert.equal((await fetch(base, { headers: { authorization } })).status, 200);
  assert.equal((await fetch(base, { headers: { authorization: basic('wrong') } })).status, 401);

  const manifest = await fetch(`${base}fixtures/single/manifests/latest`, {
    method: 'HEAD',
    headers: { authorization, accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(manifest.status, 200);
  assert.equal(manifest.headers.get('docker-content-digest'), fixtures.single.manifestDigest);
});
