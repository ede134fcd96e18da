import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, stateDirectory, validateNamespace } from '../../src/config/config.js';
import { isBerthError } from '../../src/errors.js';

function tomlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-config-')), 'berth.toml');
  writeFileSync(path, text);
  return path;
}

test('defaults when nothing is set', () => {
  const config = resolveConfig({}, { BERTH_TOML: tomlFile('') });
  assert.equal(config.address, '/run/containerd/containerd.sock');
  assert.equal(config.namespace, 'default');
  assert.equal(config.snapshotter, 'overlayfs');
  assert.equal(config.dataRoot, '/var/lib/berth');
  assert.equal(config.maxConcurrentDownloads, 3);
  assert.deepEqual(config.insecureRegistries, []);
});

test('precedence: flag > env > file > default', () => {
  const file = tomlFile('namespace = "from-file"\naddress = "/file.sock"\nsnapshotter = "native"\n');
  assert.equal(resolveConfig({}, { BERTH_TOML: file }).namespace, 'from-file');
  assert.equal(resolveConfig({}, { BERTH_TOML: file, CONTAINERD_NAMESPACE: 'from-env' }).namespace, 'from-env');
  assert.equal(resolveConfig({ namespace: 'from-flag' }, { BERTH_TOML: file, CONTAINERD_NAMESPACE: 'from-env' }).namespace, 'from-flag');
  assert.equal(resolveConfig({}, { BERTH_TOML: file }).address, '/file.sock');
  assert.equal(resolveConfig({}, { BERTH_TOML: file, CONTAINERD_ADDRESS: 'unix:///env.sock' }).address, '/env.sock');
  assert.equal(resolveConfig({}, { BERTH_TOML: file, CONTAINERD_SNAPSHOTTER: 'overlayfs' }).snapshotter, 'overlayfs');
  assert.equal(resolveConfig({ 'cni-path': '/flag/cni' }, { BERTH_TOML: file, CNI_PATH: '/env/cni' }).cniPath, '/flag/cni');
  assert.equal(resolveConfig({}, { BERTH_TOML: file, NETCONFPATH: '/env/net.d' }).cniNetconfPath, '/env/net.d');
  assert.deepEqual(resolveConfig({ 'insecure-registry': ['a:1'] }, { BERTH_TOML: tomlFile('insecure_registry = ["b:2"]') }).insecureRegistries, ['a:1']);
  assert.deepEqual(resolveConfig({}, { BERTH_TOML: tomlFile('insecure_registry = ["b:2"]') }).insecureRegistries, ['b:2']);
});

test('unknown keys and bad values in berth.toml are errors naming the key', () => {
  assert.throws(() => resolveConfig({}, { BERTH_TOML: tomlFile('namespaces = "x"') }), (error) => isBerthError(error) && /unknown key "namespaces"/.test(error.message));
  assert.throws(() => resolveConfig({}, { BERTH_TOML: tomlFile('debug = "yes"') }), (error) => isBerthError(error) && /key "debug"/.test(error.message));
  assert.throws(() => resolveConfig({}, { BERTH_TOML: tomlFile('max_concurrent_downloads = 0') }), (error) => isBerthError(error) && /key "max_concurrent_downloads"/.test(error.message));
  assert.throws(() => resolveConfig({}, { BERTH_TOML: tomlFile('address = [') }), (error) => isBerthError(error) && /berth\.toml/.test(error.message));
  assert.throws(() => resolveConfig({}, { BERTH_TOML: '/nonexistent/berth.toml' }), (error) => isBerthError(error) && /no such file/.test(error.message));
});

test('namespace names follow containerd’s identifier rule', () => {
  for (const good of ['default', 'k8s.io', 'a', 'team-1_x.y', 'A9']) assert.equal(validateNamespace(good), good);
  for (const bad of ['', '-x', 'x-', 'a..b', 'has space', 'a/b', 'x'.repeat(77)]) {
    assert.throws(() => validateNamespace(bad), (error) => isBerthError(error, 'usage'), bad);
  }
  assert.throws(() => resolveConfig({ namespace: 'bad name' }, { BERTH_TOML: tomlFile('') }), (error) => isBerthError(error, 'usage'));
});

test('the state directory is keyed by the containerd address', () => {
  const file = tomlFile('data_root = "/tmp/berth-root"');
  const one = stateDirectory(resolveConfig({ address: '/a.sock' }, { BERTH_TOML: file }));
  const two = stateDirectory(resolveConfig({ address: '/b.sock' }, { BERTH_TOML: file }));
  assert.match(one, /^\/tmp\/berth-root\/[0-9a-f]{8}$/);
  assert.notEqual(one, two);
  assert.equal(one, stateDirectory(resolveConfig({ address: 'unix:///a.sock' }, { BERTH_TOML: file })));
});

test('only unix socket addresses', () => {
  assert.throws(() => resolveConfig({ address: 'tcp://1.2.3.4:1' }, { BERTH_TOML: tomlFile('') }), (error) => isBerthError(error, 'usage'));
});
