import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { digestProblem, parseReference, registryEndpointHost } from '../../src/image/reference.js';

const SHA256 = `sha256:${'a'.repeat(64)}`;
const SHA512 = `sha512:${'b'.repeat(128)}`;

interface Good {
  input: string;
  canonical: string;
  familiar: string;
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

const good: Good[] = [
  { input: 'busybox', canonical: 'docker.io/library/busybox:latest', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'latest' },
  { input: 'busybox:1.36', canonical: 'docker.io/library/busybox:1.36', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: '1.36' },
  { input: 'library/busybox', canonical: 'docker.io/library/busybox:latest', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'latest' },
  { input: 'docker.io/busybox', canonical: 'docker.io/library/busybox:latest', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'latest' },
  { input: 'docker.io/library/busybox', canonical: 'docker.io/library/busybox:latest', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'latest' },
  { input: 'index.docker.io/busybox', canonical: 'docker.io/library/busybox:latest', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'latest' },
  { input: 'user/app', canonical: 'docker.io/user/app:latest', familiar: 'user/app', domain: 'docker.io', path: 'user/app', tag: 'latest' },
  { input: 'user/app:v1', canonical: 'docker.io/user/app:v1', familiar: 'user/app', domain: 'docker.io', path: 'user/app', tag: 'v1' },
  { input: 'library/a/b', canonical: 'docker.io/library/a/b:latest', familiar: 'library/a/b', domain: 'docker.io', path: 'library/a/b', tag: 'latest' },
  { input: 'a/b/c/d', canonical: 'docker.io/a/b/c/d:latest', familiar: 'a/b/c/d', domain: 'docker.io', path: 'a/b/c/d', tag: 'latest' },
  { input: 'localhost/x', canonical: 'localhost/x:latest', familiar: 'localhost/x', domain: 'localhost', path: 'x', tag: 'latest' },
  { input: 'localhost:5000/x', canonical: 'localhost:5000/x:latest', familiar: 'localhost:5000/x', domain: 'localhost:5000', path: 'x', tag: 'latest' },
  { input: '127.0.0.1:5000/x', canonical: '127.0.0.1:5000/x:latest', familiar: '127.0.0.1:5000/x', domain: '127.0.0.1:5000', path: 'x', tag: 'latest' },
  { input: '[::1]:5000/x:t', canonical: '[::1]:5000/x:t', familiar: '[::1]:5000/x', domain: '[::1]:5000', path: 'x', tag: 't' },
  { input: 'ghcr.io/owner/repo/sub:1.0.0-rc.1', canonical: 'ghcr.io/owner/repo/sub:1.0.0-rc.1', familiar: 'ghcr.io/owner/repo/sub', domain: 'ghcr.io', path: 'owner/repo/sub', tag: '1.0.0-rc.1' },
  { input: 'Registry.Example.COM/app', canonical: 'Registry.Example.COM/app:latest', familiar: 'Registry.Example.COM/app', domain: 'Registry.Example.COM', path: 'app', tag: 'latest' },
  { input: 'Foo/bar', canonical: 'Foo/bar:latest', familiar: 'Foo/bar', domain: 'Foo', path: 'bar', tag: 'latest' },
  { input: 'host:5000/a/b:tag', canonical: 'host:5000/a/b:tag', familiar: 'host:5000/a/b', domain: 'host:5000', path: 'a/b', tag: 'tag' },
  { input: `host:5000/a/b:tag@${SHA256}`, canonical: `host:5000/a/b:tag@${SHA256}`, familiar: 'host:5000/a/b', domain: 'host:5000', path: 'a/b', tag: 'tag', digest: SHA256 },
  { input: `busybox@${SHA256}`, canonical: `docker.io/library/busybox@${SHA256}`, familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', digest: SHA256 },
  { input: `busybox@${SHA512}`, canonical: `docker.io/library/busybox@${SHA512}`, familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', digest: SHA512 },
  { input: 'my_org/my-app.v2', canonical: 'docker.io/my_org/my-app.v2:latest', familiar: 'my_org/my-app.v2', domain: 'docker.io', path: 'my_org/my-app.v2', tag: 'latest' },
  { input: 'a__b/c---d', canonical: 'docker.io/a__b/c---d:latest', familiar: 'a__b/c---d', domain: 'docker.io', path: 'a__b/c---d', tag: 'latest' },
  { input: 'busybox:_tag', canonical: 'docker.io/library/busybox:_tag', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: '_tag' },
  { input: 'busybox:Tag.With-Caps_1', canonical: 'docker.io/library/busybox:Tag.With-Caps_1', familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 'Tag.With-Caps_1' },
  { input: `busybox:${'t'.repeat(128)}`, canonical: `docker.io/library/busybox:${'t'.repeat(128)}`, familiar: 'busybox', domain: 'docker.io', path: 'library/busybox', tag: 't'.repeat(128) },
  { input: 'localhost:5000', canonical: 'docker.io/library/localhost:5000', familiar: 'localhost', domain: 'docker.io', path: 'library/localhost', tag: '5000' },
  { input: 'xn--bcher-kva.example/app', canonical: 'xn--bcher-kva.example/app:latest', familiar: 'xn--bcher-kva.example/app', domain: 'xn--bcher-kva.example', path: 'app', tag: 'latest' },
];

const bad: { input: string; message: RegExp }[] = [
  { input: '', message: /^invalid reference format: ""$/ },
  { input: ':latest', message: /invalid reference format: ":latest"/ },
  { input: 'busybox:', message: /invalid reference format: "busybox:"/ },
  { input: 'busybox@', message: /invalid reference format/ },
  { input: 'busybox:a:b', message: /invalid reference format/ },
  { input: 'Busybox', message: /^invalid reference format: repository name \(library\/Busybox\) must be lowercase$/ },
  { input: 'user/App', message: /^invalid reference format: repository name \(user\/App\) must be lowercase$/ },
  { input: 'localhost:5000/UPPER:tag', message: /repository name \(UPPER\) must be lowercase/ },
  { input: 'busybox:-tag', message: /invalid reference format: "busybox:-tag"/ },
  { input: 'busybox:.tag', message: /invalid reference format/ },
  { input: `busybox:${'t'.repeat(129)}`, message: /invalid reference format/ },
  { input: 'busybox:t@g', message: /invalid reference format/ },
  { input: '-busybox', message: /invalid reference format/ },
  { input: 'busybox-', message: /invalid reference format/ },
  { input: 'a//b', message: /invalid reference format/ },
  { input: 'a/b/', message: /invalid reference format/ },
  { input: 'a_-b/c', message: /invalid reference format/ },
  { input: 'a___b/c', message: /invalid reference format/ },
  { input: 'a..b/c/d', message: /invalid reference format/ },
  { input: '-host.com/x', message: /invalid reference format/ },
  { input: 'host.com:port/x', message: /invalid reference format/ },
  { input: 'host_name.com/x', message: /invalid reference format/ },
  { input: 'a_b__c-d.e/g', message: /invalid reference format/ },
  { input: 'bus box', message: /invalid reference format/ },
  { input: 'busybox@sha256:abc', message: /invalid reference format/ },
  { input: `busybox@sha256:${'a'.repeat(63)}`, message: /sha256 digest must be 64 lowercase hexadecimal characters/ },
  { input: `busybox@sha256:${'a'.repeat(65)}`, message: /sha256 digest must be 64/ },
  { input: `busybox@sha256:${'A'.repeat(64)}`, message: /lowercase hexadecimal/ },
  { input: `busybox@sha512:${'a'.repeat(64)}`, message: /sha512 digest must be 128/ },
  { input: `busybox@md5:${'a'.repeat(32)}`, message: /unsupported digest algorithm "md5"/ },
  { input: `busybox@${'a'.repeat(64)}`, message: /invalid reference format/ },
  { input: 'a'.repeat(64), message: /cannot specify 64-byte hexadecimal strings/ },
  { input: `example.com/${'a'.repeat(244)}`, message: /repository name must not be more than 255 characters/ },
  { input: `${'a'.repeat(246)}`, message: /must not be more than 255 characters/ },
];

describe('parseReference', () => {
  for (const expected of good) {
    it(`parses ${expected.input.length > 60 ? `${expected.input.slice(0, 60)}…` : expected.input}`, () => {
      const reference = parseReference(expected.input);
      assert.equal(reference.toString(), expected.canonical);
      assert.equal(`${reference}`, expected.canonical);
      assert.equal(reference.familiar, expected.familiar);
      assert.equal(reference.domain, expected.domain);
      assert.equal(reference.path, expected.path);
      assert.equal(reference.name, `${expected.domain}/${expected.path}`);
      assert.equal(reference.tag, expected.tag);
      assert.equal(reference.digest, expected.digest);
    });
  }

  for (const { input, message } of bad) {
    it(`refuses ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)}`, () => {
      assert.throws(
        () => parseReference(input),
        (error: unknown) => isBerthError(error, 'usage') && message.test(error.message),
      );
    });
  }

  it('quotes the whole input in a format error', () => {
    assert.throws(() => parseReference('a//b:c'), { message: 'invalid reference format: "a//b:c"' });
  });

  it('accepts a name of exactly 255 characters', () => {
    const reference = parseReference(`example.com/${'a'.repeat(243)}`);
    assert.equal(reference.name.length, 255);
  });

  it('canonical forms parse back to themselves', () => {
    for (const { input } of good) {
      const canonical = parseReference(input).toString();
      assert.equal(parseReference(canonical).toString(), canonical);
    }
  });
});

describe('digestProblem', () => {
  it('accepts sha256, sha384 and sha512 digests', () => {
    assert.equal(digestProblem(SHA256), undefined);
    assert.equal(digestProblem(`sha384:${'c'.repeat(96)}`), undefined);
    assert.equal(digestProblem(SHA512), undefined);
  });

  it('names what is wrong', () => {
    assert.match(digestProblem('sha256') ?? '', /invalid digest/);
    assert.match(digestProblem(':abc') ?? '', /invalid digest/);
    assert.match(digestProblem(`blake3:${'a'.repeat(64)}`) ?? '', /unsupported digest algorithm "blake3"/);
    assert.match(digestProblem(`sha256:${'g'.repeat(64)}`) ?? '', /64 lowercase hexadecimal/);
  });
});

describe('registryEndpointHost', () => {
  it('sends Docker Hub requests to its API host', () => {
    assert.equal(registryEndpointHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryEndpointHost('ghcr.io'), 'ghcr.io');
    assert.equal(registryEndpointHost('127.0.0.1:5000'), '127.0.0.1:5000');
  });
});
