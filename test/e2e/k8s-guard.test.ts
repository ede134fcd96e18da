// berth on a Kubernetes node: Kubernetes' images in `k8s.io` shown once per name, the kubelet's
// containers stopped and removed only through CRI (with warnings, and `rm` wanting -f), images
// in use by them kept, and images preloaded with berth that CRI runs without a pull.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { berth, ctr, inFreshNamespace, uniqueName, world } from './harness.js';
import { eventually, lines } from './containers-kit.js';
import { CriClient, withPod } from '../world/cri.js';

const NS = ['-n', 'k8s.io'];
const K8S_NAMESPACE = 'guarded';

let client: CriClient | undefined;
let pulled: string | undefined;
/** The CRI client, with the `single` fixture pulled through CRI; resolves to CRI's image ID too. */
async function cri(): Promise<{ c: CriClient; imageId: string }> {
  client ??= new CriClient(world().address);
  pulled ??= await client.pullImage(world().fixtures.single.ref);
  return { c: client, imageId: pulled };
}
test.after(() => client?.close());

const SLEEPER = { command: ['sleep', '100000'] };

test('images in k8s.io shows an image CRI pulled once, by its repo:tag; --all-records shows every record CRI keeps', async () => {
  const { imageId } = await cri();
  const short = imageId.replace(/^sha256:/, '').slice(0, 12);
  const { ref, manifestDigest } = world().fixtures.single;
  const [, repository, tag] = /^(.*):([^:/]+)$/.exec(ref)!;
  const format = ['--format', '{{.Repository}} {{.Tag}} {{.ID}}'];

  const merged = await berth([...NS, 'images', ...format]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.deepEqual(lines(merged.stdout).filter((line) => line.endsWith(short)), [`${repository} ${tag} ${short}`]);

  const withDigests = await berth([...NS, 'images', '--digests', '--format', '{{.Repository}} {{.Digest}} {{.ID}}']);
  assert.deepEqual(lines(withDigests.stdout).filter((line) => line.endsWith(short)), [`${repository} ${manifestDigest} ${short}`]);

  const all = await berth([...NS, 'images', '--all-records', ...format]);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(lines(all.stdout).filter((line) => line.endsWith(short)).sort(), [`${repository} ${tag} ${short}`, `${repository} <none> ${short}`, `<none> <none> ${short}`].sort());
  assert.ok(!all.stdout.includes('sha256 '), 'the ID record is never shown as a repository');

  const help = await berth(['images', '--help']);
  assert.match(help.stdout, /--all-records/);
});

test("the kubelet's container: rm without -f refuses, stop goes through CRI, rmi of its image is refused, rm -f removes it through CRI", async () => {
  const { c } = await cri();
  const image = world().fixtures.single.ref;
  await withPod(c, world().tmp, { name: uniqueName('guard'), namespace: K8S_NAMESPACE }, async (pod) => {
    const id = await c.runContainer(pod, { name: 'app', image, ...SLEEPER });
    const name = `k8s://${K8S_NAMESPACE}/${pod.name}/app`;

    const refused = await berth([...NS, 'rm', id]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`refusing to remove Kubernetes container ${name}: the kubelet manages it .*-f`));
    assert.equal((await c.containerStatus(id)).state, 'CONTAINER_RUNNING');

    const stopped = await berth([...NS, 'stop', '-t', '1', id]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, `${id}\n`);
    assert.match(stopped.stderr, new RegExp(`^WARNING: Kubernetes container ${name} is managed by the kubelet: stopping it through CRI`));
    assert.equal((await c.containerStatus(id)).state, 'CONTAINER_EXITED');

    const rmi = await berth([...NS, 'rmi', image]);
    assert.equal(rmi.code, 1, rmi.stdout);
    assert.match(rmi.stderr, new RegExp(`conflict: unable to remove repository reference "${image}" \\(must force\\) - container ${id.slice(0, 12)} is using its referenced image`));
    const still = await c.imageStatus(image);
    assert.ok(still, 'CRI still has the image');

    const removed = await berth([...NS, 'rm', '-f', id]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `${id}\n`);
    assert.match(removed.stderr, new RegExp(`^WARNING: removing Kubernetes container ${name} through CRI`));
    assert.deepEqual(await c.listContainers({ id }), []);
    const ps = await berth([...NS, 'ps', '-a', '-q', '--no-trunc']);
    assert.ok(!ps.stdout.includes(id), ps.stdout);
  });
});

test('an image saved by berth and loaded into k8s.io under a name no registry has runs in a new pod through CRI without a pull', async () => {
  const { c } = await cri();
  // port 9 (discard): nothing listens there, so a pull of this name could only fail
  const name = `127.0.0.1:9/preloaded/${uniqueName('app')}:v1`;
  const tar = join(world().tmp, `${uniqueName('preload')}.tar`);
  await inFreshNamespace('preload', async (namespace) => {
    const b = (args: string[]) => berth(['-n', namespace, ...args]);
    // `multi`: its layers are not yet in k8s.io (CRI pulled `single` only), so they must be unpacked by the load
    const { ref } = world().fixtures.multi;
    for (const args of [['pull', '-q', ref], ['tag', ref, name], ['save', '-o', tar, name]]) {
      const result = await b(args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    }
  });
  try {
    const loaded = await berth([...NS, 'load', '-q', '-i', tar]);
    assert.equal(loaded.code, 0, loaded.stderr);
    // the records CRI's own pull would have made: the name labelled as CRI's, and the ID record
    const records = await ctr(['images', 'ls'], 'k8s.io');
    assert.match(records.stdout, new RegExp(`^${name.replace(/[.]/g, '\\.')} .*io\\.cri-containerd\\.image=managed`, 'm'), records.stdout);
    assert.match(records.stdout, new RegExp(`^${world().fixtures.multi.configDigest} `, 'm'), records.stdout);
    const status = await eventually(`CRI's ImageStatus of ${name}`, () => c.imageStatus(name), 30_000);
    assert.ok(status.repoTags.includes(name), JSON.stringify(status));
    assert.equal(status.id, world().fixtures.multi.configDigest);
    // unpacked by berth in CRI's snapshotter, as CRI's own pull leaves an image
    const check = await ctr(['images', 'check', `name==${name}`], 'k8s.io');
    assert.match(check.stdout, /complete .*\btrue\s*$/m, check.stdout);

    await withPod(c, world().tmp, { name: uniqueName('preloaded'), namespace: K8S_NAMESPACE }, async (pod) => {
      const id = await c.runContainer(pod, { name: 'app', image: name, command: ['/bin/busybox', 'sleep', '100000'] });
      const running = await c.containerStatus(id);
      assert.equal(running.state, 'CONTAINER_RUNNING');
      // CRI knows it by the ID berth recorded (a loaded image has no repo digest)
      assert.equal(running.imageRef, status.id);
    });

    // the pod is gone: rmi takes CRI's ID record along with the last name, and CRI forgets the image
    const rmi = await berth([...NS, 'rmi', name]);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.equal(rmi.stdout, `Untagged: ${name}\nDeleted: ${status.id}\n`);
    await eventually(`CRI forgetting ${name}`, async () => (await c.imageStatus(name)) === undefined, 30_000);
  } finally {
    await berth([...NS, 'rmi', '-f', name]); // when the test failed before its own rmi
  }
});

test('run and create in k8s.io warn on stderr that the kubelet will not manage the container', async () => {
  await cri();
  const image = world().fixtures.single.ref;
  const warning = /WARNING: namespace k8s\.io is Kubernetes' .*the kubelet will not manage this container/;
  const run = await berth([...NS, 'run', '--rm', image, 'echo', 'ran']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.replace(/\r/g, ''), 'ran\n');
  assert.match(run.stderr, warning);

  const containerName = uniqueName('plain');
  const created = await berth([...NS, 'create', '--name', containerName, image, 'true']);
  try {
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
    assert.match(created.stderr, warning);
  } finally {
    const removed = await berth([...NS, 'rm', containerName]);
    assert.equal(removed.code, 0, `berth's own containers need no -f: ${removed.stderr}`);
    assert.equal(removed.stderr, '');
  }
});
