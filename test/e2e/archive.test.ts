// berth save / load / import against the private containerd, checked with ctr: archives go out
// and come back as the same image, Docker's legacy archives and rootfs tarballs become images
// that containerd runs, and archives that reach outside themselves are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { tarball } from '../world/tar.js';
import { berth, ctr, ctrRun, removeNamespace, uniqueName, world, type Result } from './harness.js';
import { runProcess } from '../world/world.js';

const BERTH_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** Runs a shell script in which `berth` is the CLI under test, set up as the harness sets it up. */
function shell(script: string): Promise<Result> {
  const w = world();
  const env = { ...process.env, CONTAINERD_ADDRESS: w.address, BERTH_TOML: w.berthToml, DOCKER_CONFIG: w.dockerConfig, NO_COLOR: '1', NODE: process.execPath, BERTH_BIN };
  return runProcess('sh', ['-c', `berth() { "$NODE" "$BERTH_BIN" "$@"; }\nset -e\n${script}`], { env });
}

async function inFreshNamespace(work: (namespace: string, dir: string) => Promise<void>): Promise<void> {
  const namespace = uniqueName('archive');
  const dir = await mkdtemp(join(world().tmp, 'archive-'));
  try {
    await work(namespace, dir);
  } finally {
    await removeNamespace(namespace);
    await rm(dir, { recursive: true, force: true });
  }
}

async function contentDigests(namespace: string): Promise<string[]> {
  return (await ctr(['content', 'ls', '-q'], namespace)).stdout.split('\n').filter(Boolean).sort();
}

/** `ctr images ls` as name → target digest. */
async function imageTargets(namespace: string): Promise<Record<string, string>> {
  const lines = (await ctr(['images', 'ls'], namespace)).stdout.trim().split('\n').slice(1).filter(Boolean);
  return Object.fromEntries(lines.map((line) => line.split(/\s+/)).map(([name, , digest]) => [name, digest]));
}

async function pullQuietly(namespace: string, ref: string, ...flags: string[]): Promise<void> {
  const pulled = await berth(['-n', namespace, 'pull', '-q', ...flags, ref]);
  assert.equal(pulled.code, 0, pulled.stderr);
}

/** One file of a tar archive on disk. */
async function archiveFile(archive: string, path: string): Promise<string> {
  const result = await runProcess('tar', ['-xOf', archive, path]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const hex = (digest: string): string => digest.replace(/^sha256:/, '');

test('save -o, remove, load -i: the same image comes back and ctr runs it', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const { ref, manifestDigest, configDigest } = world().fixtures.single;
    await pullQuietly(namespace, ref);
    const before = await contentDigests(namespace);
    const archive = join(dir, 'single.tar');

    const saved = await berth(['-n', namespace, 'save', '-o', archive, ref]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout, '');
    const manifestJson = JSON.parse(await archiveFile(archive, 'manifest.json'));
    assert.deepEqual(manifestJson, [{ Config: `blobs/sha256/${hex(configDigest)}`, RepoTags: [ref], Layers: manifestJson[0].Layers }]);
    const index = JSON.parse(await archiveFile(archive, 'index.json'));
    assert.equal(index.manifests[0].digest, manifestDigest);
    assert.deepEqual(index.manifests[0].annotations, { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': 'latest' });
    assert.deepEqual(JSON.parse(await archiveFile(archive, 'oci-layout')), { imageLayoutVersion: '1.0.0' });
    const [repository] = ref.split(/:(?=[^:]*$)/);
    assert.deepEqual(JSON.parse(await archiveFile(archive, 'repositories')), { [repository]: { latest: hex(configDigest) } });

    assert.equal((await ctr(['images', 'rm', '--sync', ref], namespace)).code, 0);
    assert.deepEqual(await contentDigests(namespace), []);

    const loaded = await berth(['-n', namespace, 'load', '-i', archive]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, `Loaded image: ${ref}\n`);
    assert.deepEqual(await imageTargets(namespace), { [ref]: manifestDigest });
    assert.deepEqual(await contentDigests(namespace), before);
    const run = await ctrRun(namespace, ref, 'cat', '/www/index.html');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello from berth fixture\n');

    // Loading again replaces the record with the same image.
    const again = await berth(['-n', namespace, 'load', '-q', '-i', archive]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `Loaded image: ${ref}\n`);
    assert.equal(again.stderr, '');
  });
});

test('save to stdout through a pipe, gzip on the way, load from stdin in another namespace', async () => {
  await inFreshNamespace(async (source) => {
    await inFreshNamespace(async (target, dir) => {
      const { ref, manifestDigest, configDigest } = world().fixtures.multi;
      await pullQuietly(source, ref);
      const listing = await shell(`berth -n ${source} save ${ref} | tar -t`);
      assert.equal(listing.code, 0, listing.stderr);
      const entries = listing.stdout.trim().split('\n');
      assert.ok(entries.includes(`blobs/sha256/${hex(configDigest)}`), listing.stdout);
      assert.deepEqual(entries.slice(-4), ['index.json', 'manifest.json', 'oci-layout', 'repositories']);

      const piped = await shell(`berth -n ${source} save ${ref} | gzip | berth -n ${target} load`);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, `Loaded image: ${ref}\n`);
      assert.deepEqual(await imageTargets(target), { [ref]: manifestDigest });
      const run = await ctrRun(target, ref);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'entry from-cmd\n');

      // The same bytes every time: the archive depends on the images only.
      const first = join(dir, 'first.tar');
      const second = join(dir, 'second.tar');
      assert.equal((await shell(`berth -n ${source} save ${ref} > ${first}; berth -n ${source} save -o ${second} ${ref}`)).code, 0);
      assert.deepEqual(await readFile(first), await readFile(second));
    });
  });
});

test('save refuses to write to a terminal, and fails without output for a missing image', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const { ref } = world().fixtures.single;
    await pullQuietly(namespace, ref);
    // script(1) gives the command a terminal for its stdout.
    const terminal = await shell(`script -qec '"$NODE" "$BERTH_BIN" -n ${namespace} save ${ref}' /dev/null || echo "exit $?"`);
    assert.match(terminal.stdout, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/);
    assert.match(terminal.stdout, /exit 1/);

    const archive = join(dir, 'missing.tar');
    const missing = await berth(['-n', namespace, 'save', '-o', archive, ref, 'no-such-image']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: no-such-image/);
    assert.equal((await runProcess('ls', ['-A', dir])).stdout, '');

    // as docker 28: too few arguments is exit 1
    const none = await berth(['-n', namespace, 'save']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^berth: 'berth save' requires at least 1 argument\n/);
  });
});

test('save of an index pulled for one platform saves that platform, which load brings back', async () => {
  await inFreshNamespace(async (source) => {
    await inFreshNamespace(async (target, dir) => {
      const { ref, platforms = {} } = world().fixtures.index;
      const arm64 = platforms['linux/arm64'];
      await pullQuietly(source, ref, '--platform', 'linux/arm64');
      const archive = join(dir, 'arm64.tar');
      const saved = await berth(['-n', source, 'save', '-o', archive, ref]);
      assert.equal(saved.code, 0, saved.stderr);
      const index = JSON.parse(await archiveFile(archive, 'index.json'));
      assert.equal(index.manifests[0].digest, arm64.manifestDigest);
      assert.equal(JSON.parse(await archiveFile(archive, 'manifest.json'))[0].Config, `blobs/sha256/${hex(arm64.configDigest)}`);

      const amd64 = await berth(['-n', source, 'save', '--platform', 'linux/amd64', '-o', archive, ref]);
      assert.equal(amd64.code, 1);
      assert.match(amd64.stderr, /has no content for linux\/amd64/);

      const loaded = await berth(['-n', target, 'load', '-i', archive]);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.equal(loaded.stdout, `Loaded image: ${ref}\n`);
      assert.ok((await contentDigests(target)).includes(arm64.configDigest));
    });
  });
});

/**
 * The layout `docker save` wrote before Docker 25, built from the multi-layer fixture:
 * `<id>/layer.tar` (uncompressed), `<config hex>.json`, manifest.json naming them, and a second
 * image whose layer is a symlink to the first image's bottom layer, as Docker links shared layers.
 */
async function legacyArchive(dir: string): Promise<{ archive: string; configDigest: string; baseConfigDigest: string }> {
  const layout = world().fixtures.multi.layout;
  const blob = (digest: string) => readFile(join(layout, 'blobs', 'sha256', hex(digest)));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse((await blob(index.manifests[0].digest)).toString());
  const configBytes = await blob(manifest.config.digest);
  const root = join(dir, 'legacy');
  await mkdir(root);
  const layerPaths: string[] = [];
  for (const layer of manifest.layers) {
    const tar = gunzipSync(await blob(layer.digest));
    const id = hex(sha256(tar));
    await mkdir(join(root, id));
    await writeFile(join(root, id, 'layer.tar'), tar);
    await writeFile(join(root, id, 'VERSION'), '1.0');
    await writeFile(join(root, id, 'json'), JSON.stringify({ id }));
    layerPaths.push(`${id}/layer.tar`);
  }
  await writeFile(join(root, `${hex(manifest.config.digest)}.json`), configBytes);
  const config = JSON.parse(configBytes.toString());
  const baseConfig = Buffer.from(JSON.stringify({ ...config, config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: config.rootfs.diff_ids.slice(0, 1) }, history: config.history.slice(0, 1) }));
  const baseConfigDigest = sha256(baseConfig);
  await writeFile(join(root, `${hex(baseConfigDigest)}.json`), baseConfig);
  await mkdir(join(root, 'shared'));
  await symlink(`../${layerPaths[0]}`, join(root, 'shared', 'layer.tar'));
  await writeFile(
    join(root, 'manifest.json'),
    JSON.stringify([
      { Config: `${hex(manifest.config.digest)}.json`, RepoTags: ['legacy/multi:v1'], Layers: layerPaths },
      { Config: `${hex(baseConfigDigest)}.json`, RepoTags: ['legacy/base:v1'], Layers: ['shared/layer.tar'] },
    ]),
  );
  const archive = join(dir, 'legacy.tar');
  const packed = await runProcess('tar', ['-C', root, '-cf', archive, '.']);
  assert.equal(packed.code, 0, packed.stderr);
  return { archive, configDigest: manifest.config.digest, baseConfigDigest };
}

test('an archive in the legacy docker save layout loads, and its images run', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const { archive, configDigest, baseConfigDigest } = await legacyArchive(dir);
    const loaded = await berth(['-n', namespace, 'load', '-i', archive]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'Loaded image: legacy/multi:v1\nLoaded image: legacy/base:v1\n');
    assert.deepEqual(Object.keys(await imageTargets(namespace)).sort(), ['docker.io/legacy/base:v1', 'docker.io/legacy/multi:v1']);
    const content = await contentDigests(namespace);
    assert.ok(content.includes(configDigest) && content.includes(baseConfigDigest), content.join('\n'));

    const multi = await ctrRun(namespace, 'docker.io/legacy/multi:v1');
    assert.equal(multi.code, 0, multi.stderr);
    assert.equal(multi.stdout, 'entry from-cmd\n');
    const base = await ctrRun(namespace, 'docker.io/legacy/base:v1', 'sh', '-c', 'cat /www/index.html; test ! -e /data && echo no-data');
    assert.equal(base.code, 0, base.stderr);
    assert.equal(base.stdout, 'hello from berth fixture\nno-data\n');
  });
});

test('an archive with entries leading outside it is refused, and nothing is created', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const cases = [
      { name: 'dotdot.tar', entries: tarball([{ type: 'file', path: 'manifest.json', data: '[]' }, { type: 'file', path: '../evil', data: 'evil\n' }]), message: /refusing archive entry "\.\.\/evil": it leads outside the archive/ },
      { name: 'link.tar', entries: tarball([{ type: 'symlink', path: 'blobs/evil', target: '../../etc/passwd' }]), message: /refusing archive entry "blobs\/evil" \(a link to "\.\.\/\.\.\/etc\/passwd"\): it leads outside the archive/ },
    ];
    for (const { name, entries, message } of cases) {
      const inner = join(dir, 'inner');
      await mkdir(inner, { recursive: true });
      await writeFile(join(inner, name), entries);
      const loaded = await shell(`cd ${inner} && berth -n ${namespace} load -i ${name}`);
      assert.equal(loaded.code, 1);
      assert.match(loaded.stderr, message);
      assert.equal(loaded.stdout, '');
    }
    assert.equal((await ctr(['images', 'ls', '-q'], namespace)).stdout, '');
    assert.deepEqual((await runProcess('ls', ['-A', dir])).stdout.split('\n').filter(Boolean), ['inner']);
    assert.equal((await ctr(['leases', 'ls', '-q'], namespace)).stdout.trim(), '');
  });
});

/** A root filesystem with the host's static busybox as /bin/busybox, echo and sh. */
async function busyboxRootfs(dir: string): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of ['echo', 'sh', 'cat']) await symlink('busybox', join(rootfs, 'bin', applet));
  return rootfs;
}

test('import of a busybox rootfs from stdin with --change CMD: ctr runs it and it says hi', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const rootfs = await busyboxRootfs(dir);
    const tarFile = join(dir, 'rootfs.tar');
    assert.equal((await runProcess('tar', ['-C', rootfs, '-cf', tarFile, '.'])).code, 0);
    const imported = await shell(`cat ${tarFile} | berth -n ${namespace} import --change 'CMD ["echo","hi"]' -m 'from a test' - local/busybox`);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const configDigest = imported.stdout.trim();
    assert.deepEqual(Object.keys(await imageTargets(namespace)), ['docker.io/local/busybox:latest']);

    const run = await ctrRun(namespace, 'docker.io/local/busybox:latest');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hi\n');

    const config = JSON.parse((await ctr(['content', 'get', configDigest], namespace)).stdout);
    assert.deepEqual(config.config, { Cmd: ['echo', 'hi'] });
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [sha256(await readFile(tarFile))] });
    assert.equal(config.os, 'linux');
    assert.deepEqual(config.history.map(({ created_by, comment }: Record<string, string>) => ({ created_by, comment })), [{ created_by: 'Imported from -', comment: 'from a test' }]);
  });
});

test('import of a gzip file without a name: an untagged image with the platform and changes asked for', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const rootfs = await busyboxRootfs(dir);
    const gzipped = join(dir, 'rootfs.tar.gz');
    assert.equal((await runProcess('tar', ['-C', rootfs, '-czf', gzipped, '.'])).code, 0);
    const imported = await berth(['-n', namespace, 'import', '--platform', 'linux/arm64', '-c', 'ENV A=1 B="two words"', '-c', 'WORKDIR /srv', '-c', 'EXPOSE 80', gzipped]);
    assert.equal(imported.code, 0, imported.stderr);
    const config = JSON.parse((await ctr(['content', 'get', imported.stdout.trim()], namespace)).stdout);
    assert.equal(config.architecture, 'arm64');
    assert.deepEqual(config.config, { Env: ['A=1', 'B=two words'], WorkingDir: '/srv', ExposedPorts: { '80/tcp': {} } });
    assert.equal(config.history[0].created_by, `Imported from ${gzipped}`);
    const names = Object.keys(await imageTargets(namespace));
    assert.equal(names.length, 1);
    assert.match(names[0], /^<none>@sha256:[0-9a-f]{64}$/);
  });
});

test('import refuses URLs, --change instructions it does not take, and what is not a tarball', async () => {
  await inFreshNamespace(async (namespace, dir) => {
    const url = await berth(['-n', namespace, 'import', 'https://example.com/rootfs.tar', 'x']);
    assert.equal(url.code, 1);
    assert.match(url.stderr, /importing from a URL is not supported/);

    const run = await berth(['-n', namespace, 'import', '--change', 'RUN echo hi', '-', 'x'], { input: '' });
    assert.equal(run.code, 125);
    assert.match(run.stderr, /invalid --change "RUN echo hi": RUN is not a valid change command/);

    const notTar = join(dir, 'not.tar');
    await writeFile(notTar, 'this is not a tar archive, nor is it compressed\n'.repeat(40));
    const bad = await berth(['-n', namespace, 'import', notTar, 'x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid tar archive/);
    assert.equal((await ctr(['images', 'ls', '-q'], namespace)).stdout, '');
  });
});
