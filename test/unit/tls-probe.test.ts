import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { speaksTls } from '../../src/image/registry/tls-probe.js';

async function listening<S extends Server | ReturnType<typeof createNetServer>>(server: S): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

test('a plain-HTTP registry does not speak TLS', async () => {
  const server = createHttpServer((_, response) => response.end('{}'));
  try {
    assert.equal(await speaksTls(await listening(server)), false);
  } finally {
    server.close();
  }
});

test('a TLS server does, whoever signed its certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-probe-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (socket) => socket.end());
    try {
      assert.equal(await speaksTls(await listening(server)), true);
    } finally {
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no answer either way: a closed port, a server that says nothing', async () => {
  const closed = createNetServer();
  const url = await listening(closed);
  await new Promise((resolve) => closed.close(resolve));
  assert.equal(await speaksTls(url), undefined);

  const silent = createNetServer(() => undefined);
  try {
    assert.equal(await speaksTls(await listening(silent), 200), undefined);
  } finally {
    silent.close();
  }
});
