// berth pull into the private containerd, checked with ctr: what berth stores, containerd runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { berth, ctr, ctrRun, inFreshNamespace, world } from './harness.js';
import { runProcess } from '../world/world.js';

test('pull of each fixture: closing lines, then ctr runs it', async () => {
  for (const fixture of ['single', 'schema2', 'multi'] as const) {
    await inFreshNamespace('pull', async (namespace) => {
      const { ref, manifestDigest } = world().fixtures[fixture];
      const pulled = await berth(['-n', namespace, 'pull', ref]);
      assert.equal(pulled.code, 0, pulled.stderr);
      const lines = pulled.stdout.trimEnd().split('\n');
      assert.deepEqual(lines, [`Digest: ${manifestDigest}`, `Status: Downloaded newer image for ${ref}`, ref]);
      assert.match(pulled.stderr, /Pull complete/);
      const listed = await ctr(['images', 'ls', '-q'], namespace);
      assert.deepEqual(listed.stdout.trim().split('\n'), [ref]);
      const run = await ctrRun(namespace, ref, 'cat', '/www/index.html');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'hello from berth fixture\n');
      const again = await berth(['-n', namespace, 'pull', ref]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${ref.replace(/[.]/g, '\\.')}`));
    });
  }
});

test('whiteouts and opaque directories of the multi-layer fixture are applied', async () => {
  await inFreshNamespace('pull', async (namespace) => {
    const { ref } = world().fixtures.multi;
    assert.equal((await berth(['-n', namespace, 'pull', '-q', ref])).code, 0);
    const run = await ctrRun(namespace, ref, 'sh', '-c', 'ls /data; ls /opaque; test ! -e /data/gone.txt && test ! -e /opaque/old.txt && echo ok');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'keep.txt\nnew.txt\nok\n');
  });
});

test('-q prints only the reference', async () => {
  await inFreshNamespace('pull', async (namespace) => {
    const { ref } = world().fixtures.single;
    const pulled = await berth(['-n', namespace, 'pull', '-q', ref]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${ref}\n`);
    assert.equal(pulled.stderr, '');
  });
});

test('--platform linux/arm64 pulls the arm64 manifest of the index', async () => {
  await inFreshNamespace('pull', async (namespace) => {
    const { ref, platforms = {} } = world().fixtures.index;
    const pulled = await berth(['-n', namespace, 'pull', '--platform', 'linux/arm64', ref]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const content = await ctr(['content', 'ls', '-q'], namespace);
    const digests = content.stdout.split('\n');
    assert.ok(digests.includes(platforms['linux/arm64'].configDigest), content.stdout);
    assert.ok(!digests.includes(platforms['linux/amd64'].configDigest));
  });
});

test('a pulled image has containerd GC labels, so removing it frees its content and snapshots', async () => {
  await inFreshNamespace('pull', async (namespace) => {
    const { ref } = world().fixtures.multi;
    assert.equal((await berth(['-n', namespace, 'pull', '-q', ref])).code, 0);
    const snapshots = await ctr(['snapshots', 'ls'], namespace);
    assert.equal(snapshots.stdout.trim().split('\n').length - 1, 3, snapshots.stdout);
    assert.equal((await ctr(['images', 'rm', '--sync', ref], namespace)).code, 0);
    assert.equal((await ctr(['content', 'ls', '-q'], namespace)).stdout.trim(), '');
    assert.equal((await ctr(['snapshots', 'ls'], namespace)).stdout.trim().split('\n').length, 1);
    const leases = await ctr(['leases', 'ls', '-q'], namespace);
    assert.equal(leases.stdout.trim(), '');
  });
});

test('a bad reference is a usage error quoting it', async () => {
  const result = await berth(['pull', 'Bad:Ref']);
  assert.equal(result.code, 125);
  assert.match(result.stderr, /invalid reference format/);
});

test('an unknown tag fails with exit 1 and the registry’s reason', async () => {
  const result = await berth(['pull', `${world().registry.host}/fixtures/single:nope`]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /manifest unknown|not found/);
});

test('on a terminal: per-layer lines redrawn in place; on a pipe: plain lines, and the default tag named', async () => {
  await inFreshNamespace('pull', async (namespace) => {
    const { ref } = world().fixtures.multi;
    const untagged = ref.replace(/:latest$/, '');
    const piped = await berth(['-n', namespace, 'pull', untagged]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stderr, /^Using default tag: latest\n/);
    assert.doesNotMatch(piped.stderr, /\x1b\[/);
    await ctr(['images', 'rm', '--sync', ref], namespace);
    // script(1) gives berth a pseudo-terminal, as a person's shell would.
    const bin = new URL('../../bin/run.js', import.meta.url).pathname;
    const env = `CONTAINERD_ADDRESS=${world().address} BERTH_TOML=${world().berthToml}`;
    const onTerminal = await runProcess('script', ['-qec', `stty cols 100 rows 30; env ${env} ${process.execPath} ${bin} -n ${namespace} pull ${ref}`, '/dev/null'], { timeoutMs: 30_000 });
    assert.equal(onTerminal.code, 0, onTerminal.stdout);
    assert.match(onTerminal.stdout, /\x1b\[\d+A/); // cursor up: lines updated in place
    assert.match(onTerminal.stdout, /Pull complete/);
    assert.match(onTerminal.stdout, /Status: Downloaded newer image for /);
  });
});
