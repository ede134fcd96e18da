import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { choosePlatform, parseImageConfig, parseManifestDocument, type ImageIndex } from '../../src/image/manifest.js';
import { isNondistributableLayer, layerCompression, MANIFEST_ACCEPT, MediaType } from '../../src/image/media-types.js';
import { compatiblePlatforms, formatPlatform, hostPlatform, normalizePlatform, parsePlatform, type Platform } from '../../src/image/platform.js';

const digest = (char: string): string => `sha256:${char.repeat(64)}`;
const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

const ociManifest = {
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: MediaType.ociConfig, digest: digest('c'), size: 123 },
  layers: [{ mediaType: MediaType.ociLayerGzip, digest: digest('1'), size: 1000, annotations: { note: 'x' } }],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
  somethingNew: { kept: true },
};

function entry(platform: Platform | undefined, char: string, mediaType: string = MediaType.ociManifest): ImageIndex['manifests'][number] {
  return { mediaType, digest: digest(char), size: 500, ...(platform ? { platform } : {}) };
}

function index(...manifests: ImageIndex['manifests']): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
}

describe('media types', () => {
  it('accepts indexes before manifests and never schema 1', () => {
    assert.deepEqual(MANIFEST_ACCEPT, [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest]);
  });

  it('knows how layers are compressed', () => {
    assert.equal(layerCompression(MediaType.ociLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.ociLayerZstd), 'zstd');
    assert.equal(layerCompression(MediaType.ociLayer), 'none');
    assert.equal(layerCompression(MediaType.dockerLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.dockerForeignLayerGzip), 'gzip');
    assert.equal(layerCompression(MediaType.ociConfig), undefined);
  });

  it('tells non-distributable layers apart', () => {
    assert.equal(isNondistributableLayer(MediaType.dockerForeignLayerGzip), true);
    assert.equal(isNondistributableLayer(MediaType.ociLayerNondistributableZstd), true);
    assert.equal(isNondistributableLayer(MediaType.ociLayerGzip), false);
  });
});

describe('parseManifestDocument', () => {
  it('reads an OCI manifest and keeps unknown fields', () => {
    const document = parseManifestDocument(bytes(ociManifest), MediaType.ociManifest);
    assert.equal(document.kind, 'manifest');
    assert.equal(document.mediaType, MediaType.ociManifest);
    if (document.kind !== 'manifest') return;
    assert.equal(document.manifest.layers[0].size, 1000);
    assert.deepEqual((document.manifest as Record<string, unknown>).somethingNew, { kept: true });
  });

  it('reads a Docker manifest list', () => {
    const list = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [entry({ os: 'linux', architecture: 'amd64' }, 'a', MediaType.dockerManifest)],
    };
    const document = parseManifestDocument(bytes(list), `${MediaType.dockerManifestList}; charset=utf-8`);
    assert.equal(document.kind, 'index');
    assert.equal(document.mediaType, MediaType.dockerManifestList);
  });

  it('uses the document when the Content-Type says nothing useful', () => {
    const { mediaType: _, ...bare } = ociManifest;
    assert.equal(parseManifestDocument(bytes(bare), 'application/json').mediaType, MediaType.ociManifest);
    assert.equal(parseManifestDocument(bytes(bare), undefined).kind, 'manifest');
    const bareIndex = { schemaVersion: 2, manifests: [] };
    assert.equal(parseManifestDocument(bytes(bareIndex), 'text/plain').kind, 'index');
    const docker = { ...ociManifest, mediaType: MediaType.dockerManifest };
    assert.equal(parseManifestDocument(bytes(docker), undefined).mediaType, MediaType.dockerManifest);
  });

  it('refuses schema 1, by media type or by content', () => {
    const schema1 = { schemaVersion: 1, name: 'x', tag: 'latest', fsLayers: [] };
    for (const mediaType of [MediaType.dockerSchema1SignedManifest, MediaType.dockerSchema1Manifest, 'application/json']) {
      assert.throws(
        () => parseManifestDocument(bytes(schema1), mediaType),
        (error: unknown) => isBerthError(error) && /^schema 1 images are not supported; /.test(error.message),
      );
    }
  });

  it('refuses a document whose own media type contradicts the Content-Type', () => {
    assert.throws(() => parseManifestDocument(bytes(ociManifest), MediaType.dockerManifest), /served as .*docker.* but its mediaType is .*oci/);
  });

  it('checks digests, sizes and shape', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...ociManifest, config: { ...ociManifest.config, digest: 'sha256:abc' } }, /invalid manifest: config\.digest: sha256 digest must be 64/],
      [{ ...ociManifest, config: { ...ociManifest.config, digest: `md5:${'a'.repeat(32)}` } }, /unsupported digest algorithm/],
      [{ ...ociManifest, layers: [{ ...ociManifest.layers[0], size: -1 }] }, /layers\.0\.size/],
      [{ ...ociManifest, layers: [{ ...ociManifest.layers[0], size: 1.5 }] }, /layers\.0\.size/],
      [{ ...ociManifest, layers: undefined }, /layers/],
      [{ ...ociManifest, schemaVersion: 3 }, /schemaVersion/],
      [{ ...ociManifest, config: { digest: digest('c'), size: 1 } }, /config\.mediaType/],
    ];
    for (const [document, message] of cases) {
      assert.throws(
        () => parseManifestDocument(bytes(document), MediaType.ociManifest),
        (error: unknown) => isBerthError(error, 'invalid-argument') && message.test(error.message),
      );
    }
  });

  it('refuses what is not JSON or not a manifest', () => {
    assert.throws(() => parseManifestDocument(Buffer.from('{'), MediaType.ociManifest), /invalid manifest: /);
    assert.throws(() => parseManifestDocument(Buffer.from('[]'), MediaType.ociManifest), /not a JSON object/);
    assert.throws(() => parseManifestDocument(bytes({ schemaVersion: 2, mediaType: 'application/vnd.example+json' }), undefined), /unsupported manifest media type application\/vnd\.example\+json/);
  });
});

describe('parseImageConfig', () => {
  it('accepts the nulls Docker writes and keeps other fields', () => {
    const config = parseImageConfig(
      bytes({
        architecture: 'arm64',
        variant: 'v8',
        os: 'linux',
        config: { Env: ['PATH=/bin'], Cmd: ['sh'], Entrypoint: null, Volumes: null, Labels: null, ExposedPorts: { '80/tcp': {} }, Hostname: '' },
        rootfs: { type: 'layers', diff_ids: [digest('d')] },
        history: [{ created_by: 'ADD file', empty_layer: false }],
        container_config: { Cmd: null },
      }),
    );
    assert.deepEqual(config.config?.Cmd, ['sh']);
    assert.equal(config.config?.Entrypoint, null);
    assert.equal(config.rootfs.diff_ids.length, 1);
    assert.ok('container_config' in config);
  });

  it('refuses a config without valid diff IDs', () => {
    assert.throws(() => parseImageConfig(bytes({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['nope'] } })), /invalid image config: rootfs\.diff_ids\.0/);
  });
});

describe('platforms', () => {
  it('parses and normalises --platform values', () => {
    const cases: [string, string][] = [
      ['linux/amd64', 'linux/amd64'],
      ['linux/x86_64', 'linux/amd64'],
      ['Linux/AMD64', 'linux/amd64'],
      ['linux/amd64/v1', 'linux/amd64'],
      ['linux/amd64/v3', 'linux/amd64/v3'],
      ['linux/aarch64', 'linux/arm64/v8'],
      ['linux/arm64', 'linux/arm64/v8'],
      ['linux/arm64/8', 'linux/arm64/v8'],
      ['linux/arm64/v8.0', 'linux/arm64/v8'],
      ['linux/armhf', 'linux/arm/v7'],
      ['linux/armel', 'linux/arm/v6'],
      ['linux/arm', 'linux/arm/v7'],
      ['linux/arm/6', 'linux/arm/v6'],
      ['linux/i386', 'linux/386'],
      ['linux/riscv64', 'linux/riscv64'],
      ['windows/amd64', 'windows/amd64'],
      ['macos/arm64', 'darwin/arm64/v8'],
      ['arm64', 'linux/arm64/v8'],
      ['s390x', 'linux/s390x'],
    ];
    for (const [spec, expected] of cases) assert.equal(formatPlatform(parsePlatform(spec)), expected, spec);
    assert.equal(parsePlatform('linux').os, 'linux');
    assert.equal(parsePlatform('linux').architecture, hostPlatform().architecture);
  });

  it('refuses malformed --platform values as usage errors', () => {
    for (const spec of ['', 'linux/', 'linux/amd64/v8/extra', 'nonsense', 'linux/amd 64', '*/amd64']) {
      assert.throws(() => parsePlatform(spec), (error: unknown) => isBerthError(error, 'usage') && error.message.startsWith(`invalid platform "${spec}"`), spec);
    }
  });

  it('derives the host platform from process.arch', () => {
    const host = hostPlatform();
    assert.equal(host.os, 'linux');
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
    if (expected[process.arch]) assert.equal(host.architecture, expected[process.arch]);
    if (process.arch === 'arm64') assert.equal(host.variant, 'v8');
    if (process.arch === 'x64') assert.equal(host.variant, undefined);
  });

  it('lists what a platform can also run, best first', () => {
    assert.deepEqual(compatiblePlatforms({ os: 'linux', architecture: 'amd64' }).map(formatPlatform), ['linux/amd64']);
    assert.deepEqual(compatiblePlatforms({ os: 'linux', architecture: 'amd64', variant: 'v3' }).map(formatPlatform), ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64']);
    assert.deepEqual(compatiblePlatforms({ os: 'linux', architecture: 'arm', variant: 'v7' }).map(formatPlatform), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
    assert.deepEqual(compatiblePlatforms({ os: 'linux', architecture: 'aarch64' }).map(formatPlatform), [
      'linux/arm64/v8',
      'linux/arm/v8',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/arm/v5',
    ]);
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: '' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  });
});

describe('choosePlatform', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' }, 'a');
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'b');
  const arm64NoVariant = entry({ os: 'linux', architecture: 'arm64' }, 'c');
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'd');
  const armv6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'e');
  const attestation = entry({ os: 'unknown', architecture: 'unknown' }, 'f');
  const windows = entry({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' } as Platform, '9');

  it('picks the exact os/architecture/variant', () => {
    const list = index(attestation, windows, amd64, arm64, armv7, armv6);
    assert.equal(choosePlatform(list, parsePlatform('linux/amd64')).digest, amd64.digest);
    assert.equal(choosePlatform(list, parsePlatform('linux/arm64')).digest, arm64.digest);
    assert.equal(choosePlatform(list, parsePlatform('linux/arm/v6')).digest, armv6.digest);
    assert.equal(choosePlatform(list, parsePlatform('windows/amd64')).digest, windows.digest);
  });

  it('treats arm64 without a variant as arm64/v8', () => {
    assert.equal(choosePlatform(index(amd64, arm64NoVariant), parsePlatform('linux/arm64/v8')).digest, arm64NoVariant.digest);
    assert.equal(choosePlatform(index(amd64, arm64), { os: 'linux', architecture: 'arm64' }).digest, arm64.digest);
  });

  it('falls back to a platform the wanted one can run', () => {
    assert.equal(choosePlatform(index(amd64, armv6), parsePlatform('linux/arm/v7')).digest, armv6.digest);
    assert.equal(choosePlatform(index(amd64, armv6, armv7), parsePlatform('linux/arm64')).digest, armv7.digest);
    assert.equal(choosePlatform(index(amd64), parsePlatform('linux/amd64/v2')).digest, amd64.digest);
  });

  it('defaults to the host platform', () => {
    const host = hostPlatform();
    const own = entry(host, '7');
    assert.equal(choosePlatform(index(attestation, own)).digest, own.digest);
  });

  it('skips entries without a platform or that are not manifests', () => {
    const noPlatform = entry(undefined, '2');
    const notAManifest = entry({ os: 'linux', architecture: 'amd64' }, '3', 'application/vnd.example.thing+json');
    assert.throws(() => choosePlatform(index(noPlatform, notAManifest), parsePlatform('linux/amd64')));
  });

  it("says which platform had no match, as Docker does", () => {
    assert.throws(
      () => choosePlatform(index(arm64, attestation), parsePlatform('linux/amd64')),
      (error: unknown) => isBerthError(error, 'not-found') && error.message === 'no matching manifest for linux/amd64 in the manifest list entries',
    );
    assert.throws(() => choosePlatform(index(amd64), parsePlatform('linux/arm/v5')), /no matching manifest for linux\/arm\/v5/);
  });
});
