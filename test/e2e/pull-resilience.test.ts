// Pulls that go wrong: corrupt content, a pull killed half-way, TLS with a private CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { berth, ctr, removeNamespace, uniqueName, world } from './harness.js';
import { startRegistryDouble } from './registry-double.js';

const activeIngests = async (namespace: string) => (await ctr(['content', 'active'], namespace)).stdout.split('\n').slice(1).filter(Boolean);

test('a layer whose bytes do not match its digest: the pull fails naming the digest, and leaves nothing', async () => {
  const double = await startRegistryDouble({ layerSize: 256 * 1024, corruptLayer: true });
  const namespace = uniqueName('corrupt');
  try {
    const result = await berth(['-n', namespace, 'pull', `${double.host}/bad/image:latest`]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(double.layerDigest), result.stderr);
    assert.equal((await berth(['-n', namespace, 'images', '-q'])).stdout, '');
    assert.deepEqual(await activeIngests(namespace), []);
  } finally {
    await double.close();
    await removeNamespace(namespace);
  }
});

test('a pull killed with SIGKILL in the middle of a layer resumes with a Range request and leaves no ingest or lease', async () => {
  const layerSize = 24 * 1024 * 1024;
  const double = await startRegistryDouble({ layerSize, stallFirstRequestAfter: 8 * 1024 * 1024 });
  const namespace = uniqueName('resume');
  const reference = `${double.host}/slow/image:latest`;
  try {
    const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
    const child = spawn(process.execPath, [bin, '-n', namespace, 'pull', reference], {
      env: { ...process.env, CONTAINERD_ADDRESS: world().address, BERTH_TOML: world().berthToml, DOCKER_CONFIG: world().dockerConfig },
      stdio: 'ignore',
    });
    // Wait until containerd holds part of the layer, then kill berth without a chance to clean up.
    let partial = false;
    for (let attempt = 0; attempt < 200 && !partial; attempt += 1) {
      await sleep(50);
      partial = (await activeIngests(namespace)).some((line) => line.includes(double.layerDigest));
    }
    assert.ok(partial, 'the layer download never started');
    await sleep(300);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const again = await berth(['-n', namespace, 'pull', reference]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(double.layerRanges.some((range) => /^bytes=[1-9]\d*-$/.test(range)), `no resuming Range request: ${double.layerRanges.join(', ')}`);
    assert.deepEqual(await activeIngests(namespace), []);
    assert.equal((await ctr(['leases', 'ls', '-q'], namespace)).stdout.trim(), '');
    assert.equal((await berth(['-n', namespace, 'images', '--format', '{{.Repository}}'])).stdout, `${double.host}/slow/image\n`);
  } finally {
    await double.close();
    await removeNamespace(namespace);
  }
});

test('HTTPS with a private CA: refused without configuration, accepted with the CA in certs.d/<host:port>/', async () => {
  const { tlsRegistry, hostsDir, fixtures } = world();
  const reference = `${tlsRegistry.host}/fixtures/single:latest`;
  const namespace = uniqueName('tls');
  const hostDir = join(hostsDir, tlsRegistry.host);
  try {
    const refused = await berth(['-n', namespace, 'pull', reference]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /certificate/i);
    mkdirSync(hostDir, { recursive: true });
    copyFileSync(tlsRegistry.caCert, join(hostDir, 'ca.crt'));
    const accepted = await berth(['-n', namespace, 'pull', reference]);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, new RegExp(`Digest: ${fixtures.single.manifestDigest}`));
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
    await removeNamespace(namespace);
  }
});
