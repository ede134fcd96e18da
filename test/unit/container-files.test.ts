// A container's own files: names, /etc/hostname, /etc/hosts, /etc/resolv.conf, and reading
// /etc/passwd out of an unmounted overlay snapshot.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { containerResolvConf, hostnameFile, hostsFile, usesSystemdResolvedStub, writeEtcFiles } from '../../src/runtime/containers/etc-files.js';
import { ADJECTIVES, randomName, SURNAMES, validateName } from '../../src/runtime/containers/names.js';
import { layerDirectories, readRootfsFile, type RootfsMount } from '../../src/runtime/containers/rootfs-files.js';

describe('container names', () => {
  const good: [string, string][] = [['web', 'web'], ['/web', 'web'], ['my_app.v2-1', 'my_app.v2-1'], ['a1', 'a1'], ['0x', '0x']];
  for (const [name, stored] of good) it(`accepts ${name}`, () => assert.equal(validateName(name), stored));
  for (const name of ['a', '', '_web', '-web', 'web app', 'wéb', 'web/1', '//web']) {
    it(`refuses ${JSON.stringify(name)}`, () =>
      assert.throws(() => validateName(name), (error) => isBerthError(error, 'usage') && error.message === `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`));
  }
  it('random names are adjective_surname from berth\'s own lists, and valid names', () => {
    assert.ok(ADJECTIVES.length >= 90, `${ADJECTIVES.length} adjectives`);
    assert.ok(SURNAMES.length >= 200, `${SURNAMES.length} surnames`);
    assert.equal(new Set(ADJECTIVES).size, ADJECTIVES.length);
    assert.equal(new Set(SURNAMES).size, SURNAMES.length);
    for (const word of [...ADJECTIVES, ...SURNAMES]) assert.match(word, /^[a-z]+$/);
    for (let round = 0; round < 200; round += 1) {
      const name = randomName();
      const [adjective, surname] = name.split('_');
      assert.ok(ADJECTIVES.includes(adjective) && SURNAMES.includes(surname), name);
      assert.equal(validateName(name), name);
    }
  });
});

describe('/etc files', () => {
  it('hostname', () => assert.equal(hostnameFile('abc123'), 'abc123\n'));

  it('hosts: only the defaults without an address (--network none)', () => {
    assert.equal(
      hostsFile({ hostname: 'abc123' }),
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n',
    );
  });

  it('hosts: the container\'s own line first when it has an address', () => {
    assert.match(hostsFile({ hostname: 'web', ip: '10.4.0.2' }), /^127\.0\.0\.1\tlocalhost\n(.*\n)*10\.4\.0\.2\tweb\n$/);
    assert.match(hostsFile({ hostname: 'web', domainname: 'example.org', ip: '10.4.0.2' }), /\n10\.4\.0\.2\tweb\.example\.org web\n$/);
    assert.match(hostsFile({ hostname: 'web.example.org', ip: '10.4.0.2' }), /\n10\.4\.0\.2\tweb\.example\.org web\n$/);
    // Docker's order: defaults, --add-host entries, then the container's own line (with its name)
    assert.match(
      hostsFile({ hostname: 'abc123', ip: '10.4.0.2', aliases: ['web'], extraHosts: [{ name: 'db', ip: '10.9.9.9' }] }),
      /ff02::2\tip6-allrouters\n10\.9\.9\.9\tdb\n10\.4\.0\.2\tabc123 web\n$/,
    );
  });

  const host = '# from DHCP\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\nnameserver fd00::1\nsearch corp.example\noptions edns0 trust-ad\ndomain corp.example\n';

  it('resolv.conf: loopback and IPv6 nameservers go, search and options stay', () => {
    const text = containerResolvConf(host, 'none');
    assert.deepEqual(text.split('\n').filter((line) => !line.startsWith('#')), ['nameserver 10.0.0.1', 'search corp.example', 'options edns0 trust-ad', 'domain corp.example', '']);
    const custom = containerResolvConf(host, 'bridge', false, { servers: ['10.1.1.1'], search: ['a.example'], options: ['ndots:2'] });
    assert.deepEqual(custom.split('\n').filter((line) => !line.startsWith('#')), ['nameserver 10.1.1.1', 'search a.example', 'options ndots:2', '']);
    assert.doesNotMatch(containerResolvConf(host, 'bridge', false, { search: ['.'] }), /^search/m);
  });

  it('resolv.conf: public fallbacks when only loopback servers are left', () => {
    const text = containerResolvConf('nameserver 127.0.0.1\nsearch x\n', 'none');
    assert.deepEqual(text.split('\n').filter((line) => line.startsWith('nameserver')), ['nameserver 8.8.8.8', 'nameserver 8.8.4.4']);
  });

  it('resolv.conf: the host\'s as is under --network host', () => assert.equal(containerResolvConf(host, 'host'), host));

  it('recognises systemd-resolved\'s stub', () => {
    assert.equal(usesSystemdResolvedStub('nameserver 127.0.0.53\noptions edns0\n'), true);
    assert.equal(usesSystemdResolvedStub(host), false);
  });

  it('writeEtcFiles writes the three files and returns their paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-etc-'));
    const hostFiles = { hosts: join(root, 'host-hosts'), resolvConf: join(root, 'host-resolv'), systemdResolvConf: join(root, 'resolved') };
    writeFileSync(hostFiles.hosts, '127.0.0.1 localhost\n10.0.0.5 buildhost\n');
    writeFileSync(hostFiles.resolvConf, 'nameserver 127.0.0.53\n');
    writeFileSync(hostFiles.systemdResolvConf, 'nameserver 192.0.2.1\n');
    const dir = join(root, 'c1');
    mkdirSync(dir);

    const files = await writeEtcFiles(dir, { hostname: 'c1short', networkMode: 'none' }, hostFiles);
    assert.deepEqual(files, { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') });
    assert.equal(readFileSync(files.hostname, 'utf8'), 'c1short\n');
    assert.equal(readFileSync(files.hosts, 'utf8'), hostsFile({ hostname: 'c1short' }));
    assert.match(readFileSync(files.resolvConf, 'utf8'), /^nameserver 192\.0\.2\.1$/m);

    const shared = await writeEtcFiles(dir, { hostname: 'buildhost', networkMode: 'host' }, hostFiles);
    assert.equal(readFileSync(shared.hosts, 'utf8'), '127.0.0.1 localhost\n10.0.0.5 buildhost\n');
    assert.equal(readFileSync(shared.resolvConf, 'utf8'), 'nameserver 127.0.0.53\n');
  });
});

describe('reading a file from an unmounted rootfs', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-rootfs-'));
  const put = (layer: string, path: string, content: string): void => {
    const full = join(root, layer, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
  const whiteout = (layer: string, path: string): void => {
    const full = join(root, layer, path);
    mkdirSync(dirname(full), { recursive: true });
    execFileSync('mknod', [full, 'c', '0', '0']);
  };
  for (const layer of ['upper', 'l1', 'l2', 'l3']) mkdirSync(join(root, layer), { recursive: true });
  put('l3', 'etc/passwd', 'base\n');
  put('l3', 'etc/group', 'base group\n');
  put('l2', 'etc/passwd', 'layer two\n');
  put('l3', 'etc/shadow', 'secret\n');
  whiteout('l1', 'etc/shadow');
  put('l3', 'opt/app/config', 'old\n');
  whiteout('upper', 'opt/app');
  put('l3', 'real/hosts', 'linked\n');
  mkdirSync(join(root, 'l1', 'etc'), { recursive: true });
  symlinkSync('../real/hosts', join(root, 'l1', 'etc', 'hosts'));

  const overlay: RootfsMount[] = [{
    type: 'overlay',
    source: 'overlay',
    options: ['index=off', `workdir=${root}/work`, `upperdir=${root}/upper`, `lowerdir=${root}/l1:${root}/l2:${root}/l3`],
  }];

  it('lists upper then lowers left to right; a bind is its source', () => {
    assert.deepEqual(layerDirectories(overlay), [`${root}/upper`, `${root}/l1`, `${root}/l2`, `${root}/l3`]);
    assert.deepEqual(layerDirectories([{ type: 'bind', source: '/snap/1/fs', options: ['rbind', 'rw'] }]), ['/snap/1/fs']);
  });

  it('the top-most layer wins', async () => {
    assert.equal(await readRootfsFile(overlay, '/etc/passwd'), 'layer two\n');
    assert.equal(await readRootfsFile(overlay, '/etc/group'), 'base group\n');
  });

  it('a whiteout of the file or of a parent directory hides it', async () => {
    assert.equal(await readRootfsFile(overlay, '/etc/shadow'), undefined);
    assert.equal(await readRootfsFile(overlay, '/opt/app/config'), undefined);
  });

  it('follows a symlink inside the rootfs, and a missing file is undefined', async () => {
    assert.equal(await readRootfsFile(overlay, '/etc/hosts'), 'linked\n');
    assert.equal(await readRootfsFile(overlay, '/etc/nothing'), undefined);
  });

  it('reads a bind snapshot (an image with one layer, or none)', async () => {
    assert.equal(await readRootfsFile([{ type: 'bind', source: join(root, 'l3'), options: ['rbind', 'ro'] }], '/etc/passwd'), 'base\n');
  });
});
