// The foundation against the private containerd: version/info, namespaces, global options,
// error lines and exit codes as a user sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, ctr, uniqueName, world } from './harness.js';

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

test('version shows the client and containerd 1.6 as the server', async () => {
  const result = await berth(['version']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Client:\n Version: +\S+\n Git commit: +\S+\n Node\.js version: +v\d+/);
  assert.match(result.stdout, /\nServer:\n containerd:\n  Version: +1\.6\.\d+/);
  const formatted = await berth(['version', '--format', '{{.Server.Version}} {{.Client.Os}}/{{.Client.Arch}}']);
  assert.equal(formatted.code, 0, formatted.stderr);
  assert.match(formatted.stdout, /^1\.6\.\d+\S* linux\/(amd64|arm64)\n$/);
  const json = JSON.parse((await berth(['version', '--format', '{{json .}}'])).stdout);
  assert.match(json.Server.Components[0].Version, /^1\.6\./);
  assert.equal(json.Client.NodeVersion, process.version);
});

test('version --client does not contact containerd', async () => {
  const result = await berth(['--address', '/nope.sock', 'version', '--client']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Client:/);
  assert.doesNotMatch(result.stdout, /Server/);
});

test('an unreachable containerd: exit 1 and one line naming the address', async () => {
  for (const args of [['--address', '/nope.sock', 'version'], ['--address', 'unix:///nope.sock', 'namespace', 'ls'], ['-H', '/nope.sock', 'info']]) {
    const result = await berth(args);
    assert.equal(result.code, 1, args.join(' '));
    assert.deepEqual(lines(result.stderr), ['cannot connect to containerd at /nope.sock: no such file or directory; is containerd running?']);
  }
  const fromEnv = await berth(['info'], { env: { CONTAINERD_ADDRESS: '/also-nope.sock' } });
  assert.equal(fromEnv.code, 1);
  assert.match(fromEnv.stderr, /\/also-nope\.sock/);
});

test('usage errors exit 125 and name the flag', async () => {
  const result = await berth(['version', '--bogus']);
  assert.equal(result.code, 125);
  assert.match(result.stderr, /^unknown flag: --bogus\n/);
  assert.match(result.stderr, /Run 'berth version --help' for more information/);
  assert.equal(result.stdout, '');
  const global = await berth(['--bogus', 'version']);
  assert.equal(global.code, 125);
  assert.match(global.stderr, /unknown flag: --bogus/);
  const badNamespace = await berth(['-n', 'bad name', 'info']);
  assert.equal(badNamespace.code, 125);
  assert.match(badNamespace.stderr, /invalid namespace "bad name"/);
  const unknownCommand = await berth(['frobnicate']);
  assert.equal(unknownCommand.code, 1);
  assert.match(unknownCommand.stderr, /unknown command: berth frobnicate/);
});

test('too few arguments: exit 1 and the usage line, worded as docker 28 words them', async () => {
  const run = await berth(['run']);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for more information\n");
  const rm = await berth(['container', 'rm']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /^berth: 'berth container rm' requires at least 1 argument\n\nUsage:  berth container rm \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]\n\nSee /);
  const tag = await berth(['tag', 'only-one']);
  assert.equal(tag.code, 1);
  assert.match(tag.stderr, /^berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag SOURCE_IMAGE\[:TAG\] TARGET_IMAGE\[:TAG\]\n\nRun 'berth tag --help' for more information\n$/);
  assert.equal(tag.stdout, '');
});

test('help: root lists the commands; a command shows its flags; exit 0', async () => {
  const root = await berth(['--help']);
  assert.equal(root.code, 0, root.stderr);
  assert.match(root.stdout, /namespace/);
  assert.match(root.stdout, /version/);
  const namespaceLs = await berth(['namespace', 'ls', '--help']);
  assert.equal(namespaceLs.code, 0);
  assert.match(namespaceLs.stdout, /--quiet/);
});

test('namespaces: create with labels, ls, inspect, use with -n/--namespace/env, update, rm', async () => {
  const name = uniqueName('ns');
  const created = await berth(['namespace', 'create', name, '--label', 'team=x', '--label', 'tier=dev']);
  assert.equal(created.code, 0, created.stderr);

  const listed = await berth(['namespace', 'ls']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(lines(listed.stdout)[0], /^NAME +CONTAINERS +IMAGES +VOLUMES +LABELS$/);
  const row = lines(listed.stdout).find((line) => line.startsWith(`${name} `));
  assert.ok(row, listed.stdout);
  assert.match(row, new RegExp(`^${name} +0 +0 +0 +team=x,tier=dev$`));
  const quiet = await berth(['ns', 'ls', '-q']);
  assert.ok(lines(quiet.stdout).includes(name));
  const formatted = await berth(['namespace', 'list', '--format', '{{.Name}}:{{.Label "team"}}']);
  assert.ok(lines(formatted.stdout).includes(`${name}:x`), formatted.stdout);

  const inspected = await berth(['namespace', 'inspect', name]);
  assert.equal(inspected.code, 0, inspected.stderr);
  const [detail] = JSON.parse(inspected.stdout);
  assert.equal(detail.Name, name);
  assert.deepEqual(detail.Labels, { team: 'x', tier: 'dev' });

  for (const [args, env] of [
    [['-n', name, 'info', '--format', '{{json .}}'], {}],
    [['info', '--namespace', name, '--format', '{{json .}}'], {}],
    [['info', '--format', '{{json .}}'], { CONTAINERD_NAMESPACE: name }],
  ] as const) {
    const info = await berth([...args], { env });
    assert.equal(info.code, 0, info.stderr);
    const parsed = JSON.parse(info.stdout);
    assert.equal(parsed.Namespace, name, args.join(' '));
    assert.equal(parsed.Containers, 0);
  }

  const updated = await berth(['namespace', 'update', name, '--label', 'team=y']);
  assert.equal(updated.code, 0, updated.stderr);
  const [afterUpdate] = JSON.parse((await berth(['namespace', 'inspect', name])).stdout);
  assert.deepEqual(afterUpdate.Labels, { team: 'y', tier: 'dev' });

  const removed = await berth(['namespace', 'rm', name]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, `${name}\n`);
  assert.ok(!lines((await berth(['namespace', 'ls', '-q'])).stdout).includes(name));
  const missing = await berth(['namespace', 'inspect', name]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such namespace/);
  assert.equal(missing.stdout, '[]\n');
});

test('a namespace that holds an image is not removed, with containerd’s reason', async () => {
  const name = uniqueName('full');
  const pulled = await ctr(['images', 'pull', '--plain-http', world().fixtures.single.ref], name);
  assert.equal(pulled.code, 0, pulled.stderr);
  try {
    const listed = await berth(['namespace', 'ls']);
    const row = lines(listed.stdout).find((line) => line.startsWith(`${name} `));
    assert.match(row ?? '', new RegExp(`^${name} +0 +1 +0`));
    const info = JSON.parse((await berth(['-n', name, 'info', '--format', '{{json .}}'])).stdout);
    assert.equal(info.Images, 1);
    const removed = await berth(['namespace', 'remove', name]);
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, /must be empty/);
  } finally {
    await ctr(['images', 'rm', '--sync', world().fixtures.single.ref], name);
    await berth(['namespace', 'rm', name]);
  }
});

test('removing k8s.io is refused', async () => {
  const result = await berth(['namespace', 'rm', 'k8s.io']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /refusing to remove namespace "k8s\.io"/);
});

test('info: human output and the snapshotters containerd can use', async () => {
  const result = await berth(['info']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n Server Version: 1\.6\./);
  assert.match(result.stdout, /\n Storage Driver: overlayfs\n/);
  assert.match(result.stdout, /\n Snapshotters: .*overlayfs/);
  assert.match(result.stdout, /\n Cgroup Version: [12]\n/);
  assert.match(result.stdout, /\n containerd Address: \/tmp\/berth-world-/);
  assert.match(result.stdout, new RegExp(`\\n CNI Netconf Path: ${world().cniConfDir}\\n`));
  const flagged = await berth(['--cni-path', '/opt/x/cni', '--insecure-registry', 'reg.lan:5000', 'info']);
  assert.match(flagged.stdout, /\n CNI Path: \/opt\/x\/cni\n/);
  assert.match(flagged.stdout, /\n Insecure Registries:\n  reg\.lan:5000\n?/);
});

test('berth.toml: an unknown key is an error naming it; values apply below env and flags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-toml-'));
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, 'namespase = "x"\n');
  const result = await berth(['info'], { env: { BERTH_TOML: bad } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown key "namespase"/);
  const good = join(dir, 'good.toml');
  writeFileSync(good, `namespace = "from-file"\ndata_root = "${world().dataRoot}"\n`);
  const fromFile = await berth(['info', '--format', '{{.Namespace}}'], { env: { BERTH_TOML: good } });
  assert.equal(fromFile.stdout, 'from-file\n', fromFile.stderr);
  const fromEnv = await berth(['info', '--format', '{{.Namespace}}'], { env: { BERTH_TOML: good, CONTAINERD_NAMESPACE: 'from-env' } });
  assert.equal(fromEnv.stdout, 'from-env\n');
});

test('--version prints one line; --debug adds the stack to an error', async () => {
  const version = await berth(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^berth version \S+, build \S+\n$/);
  const quiet = await berth(['--address', '/nope.sock', 'info']);
  assert.equal(lines(quiet.stderr).length, 1);
  const debug = await berth(['--debug', '--address', '/nope.sock', 'info']);
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /^cannot connect to containerd at \/nope\.sock/);
  assert.match(debug.stderr, /\n\s+at /);
});
