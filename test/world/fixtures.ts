// Fixture images for the e2e tests, built from the host's statically linked
// busybox (no network, no base image), written as OCI layouts and pushed to the
// test registries with a small client of the distribution HTTP API.

import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { tarball, type TarEntry } from './tar.js';

export type FixtureName = 'single' | 'multi' | 'schema2' | 'index' | 'pause';

export interface FixtureInfo {
  /** In the open registry, e.g. `127.0.0.1:PORT/fixtures/single:latest`. */
  ref: string;
  /** OCI layout directory holding the same content that was pushed. */
  layout: string;
  /** Digest of the pushed top-level manifest (or index). */
  manifestDigest: string;
  /** Digest of the image config; for `index`, of the linux/amd64 image. */
  configDigest: string;
  /** For `index` only: each platform's manifest and config, keyed `linux/amd64`, `linux/arm64`. */
  platforms?: Record<string, { manifestDigest: string; configDigest: string }>;
}

export interface RegistryTarget {
  host: string;
  username?: string;
  password?: string;
}

const FIXTURE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CREATED = '2024-01-01T00:00:00Z';
const BUSYBOX = '/bin/busybox';

const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};
const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};
type MediaTypes = { manifest: string; config: string; layer: string };

const amd64: Platform = { os: 'linux', architecture: 'amd64' };
// Registries list arm64 images with variant v8, so the fixture does too.
const arm64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

interface Content {
  mediaType: string;
  digest: string;
  data: Buffer;
}

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

interface Layer {
  /** Goes into the config's history, like a Dockerfile line would. */
  createdBy: string;
  entries: TarEntry[];
}

interface Image {
  platform: Platform;
  manifest: Content;
  config: Content;
  layers: Content[];
}

/** What gets written and pushed: a single image, or an index over several. */
interface Fixture {
  repository: string;
  tag: string;
  top: Content;
  images: Image[];
}

/**
 * Builds every fixture under `layoutsDir`, pushes it to `registry` (and `single`
 * to `authRegistry` as well, at the same repository and tag).
 */
export async function buildFixtures(
  layoutsDir: string,
  registry: RegistryTarget,
  authRegistry: RegistryTarget,
): Promise<Record<FixtureName, FixtureInfo>> {
  const base = await baseRootfs();
  const shell = { Cmd: ['sh'], Env: [`PATH=${FIXTURE_PATH}`] };
  const fixtures: Record<FixtureName, Fixture> = {
    single: singleImage('fixtures/single', image(OCI, amd64, [base], shell)),
    schema2: singleImage('fixtures/schema2', image(DOCKER, amd64, [base], shell)),
    multi: singleImage('fixtures/multi', multiImage(base)),
    index: multiPlatform(base, shell),
    // The CRI's sandbox image (the world's containerd names it as `sandbox_image`): it only has to
    // stay up. Sandboxes are stopped with SIGKILL, so a pid 1 that ignores SIGTERM is fine.
    pause: singleImage('fixtures/pause', image(OCI, amd64, [base], { Entrypoint: ['sleep', '2147483647'], Env: [`PATH=${FIXTURE_PATH}`] })),
  };

  const infos = {} as Record<FixtureName, FixtureInfo>;
  for (const [name, fixture] of Object.entries(fixtures) as [FixtureName, Fixture][]) {
    const layout = join(layoutsDir, name);
    await writeLayout(layout, fixture);
    await push(registry, fixture);
    infos[name] = fixtureInfo(registry, fixture, layout);
  }
  await push(authRegistry, fixtures.single);
  return infos;
}

async function baseRootfs(): Promise<Layer> {
  const [busybox, list] = await Promise.all([
    readFile(BUSYBOX),
    promisify(execFile)(BUSYBOX, ['--list']),
  ]);
  const applets = list.stdout.split('\n').filter((name) => name !== '' && name !== 'busybox');
  const entries: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    ...applets.map((name): TarEntry => ({ type: 'symlink', path: `bin/${name}`, target: 'busybox' })),
    { type: 'dir', path: 'etc' },
    {
      type: 'file',
      path: 'etc/passwd',
      data:
        'root:x:0:0:root:/root:/bin/sh\n' +
        'app:x:1000:1000:app:/home/app:/bin/sh\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    {
      type: 'file',
      path: 'etc/group',
      // app's supplementary groups, as `-u app` must show them: staff, audio, extra.
      data: 'root:x:0:\nstaff:x:50:app\naudio:x:63:app\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n',
    },
    { type: 'dir', path: 'home' },
    { type: 'dir', path: 'home/app', uid: 1000, gid: 1000 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'var' },
    { type: 'dir', path: 'www' },
    { type: 'file', path: 'www/index.html', data: 'hello from berth fixture\n' },
  ];
  return { createdBy: 'berth fixture: busybox rootfs', entries };
}

function multiImage(base: Layer): Image {
  const added: Layer = {
    createdBy: 'berth fixture: add /data and /opaque',
    entries: [
      { type: 'dir', path: 'data' },
      { type: 'file', path: 'data/keep.txt', data: 'keep\n' },
      { type: 'file', path: 'data/gone.txt', data: 'gone\n' },
      { type: 'dir', path: 'opaque' },
      { type: 'file', path: 'opaque/old.txt', data: 'old\n' },
    ],
  };
  const whiteouts: Layer = {
    createdBy: 'berth fixture: whiteout /data/gone.txt, replace /opaque',
    entries: [
      { type: 'dir', path: 'data' },
      { type: 'file', path: 'data/.wh.gone.txt', data: '' },
      { type: 'dir', path: 'opaque' },
      { type: 'file', path: 'opaque/.wh..wh..opq', data: '' },
      { type: 'file', path: 'opaque/new.txt', data: 'new\n' },
    ],
  };
  return image(OCI, amd64, [base, added, whiteouts], {
    Entrypoint: ['echo', 'entry'],
    Cmd: ['from-cmd'],
    WorkingDir: '/data',
    Env: [`PATH=${FIXTURE_PATH}`, 'FIXTURE=multi'],
    Labels: { 'org.berth.fixture': 'multi' },
    StopSignal: 'SIGUSR1',
  });
}

/** Both images carry the same (amd64) busybox; `/platform` holds `amd64` or `arm64`, without a newline. */
function multiPlatform(base: Layer, shell: Record<string, unknown>): Fixture {
  const images = [amd64, arm64].map((platform) => {
    const marker: Layer = {
      createdBy: `berth fixture: /platform for ${platform.architecture}`,
      entries: [{ type: 'file', path: 'platform', data: platform.architecture }],
    };
    return image(OCI, platform, [base, marker], shell);
  });
  const index = jsonContent(OCI.index, {
    schemaVersion: 2,
    mediaType: OCI.index,
    manifests: images.map((img) => ({ ...descriptor(img.manifest), platform: img.platform })),
  });
  return { repository: 'fixtures/multiarch', tag: 'latest', top: index, images };
}

function singleImage(repository: string, img: Image): Fixture {
  return { repository, tag: 'latest', top: img.manifest, images: [img] };
}

function image(types: MediaTypes, platform: Platform, layers: Layer[], config: Record<string, unknown>): Image {
  const tars = layers.map((layer) => tarball(layer.entries));
  const layerBlobs = tars.map((tar) => content(types.layer, gzipSync(tar)));
  const configBlob = jsonContent(types.config, {
    created: CREATED,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config,
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: layers.map((layer) => ({ created: CREATED, created_by: layer.createdBy })),
  });
  const manifest = jsonContent(types.manifest, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(configBlob),
    layers: layerBlobs.map(descriptor),
  });
  return { platform, manifest, config: configBlob, layers: layerBlobs };
}

function content(mediaType: string, data: Buffer): Content {
  return { mediaType, digest: sha256(data), data };
}

function jsonContent(mediaType: string, value: unknown): Content {
  return content(mediaType, Buffer.from(JSON.stringify(value)));
}

function descriptor(b: Content): { mediaType: string; digest: string; size: number } {
  return { mediaType: b.mediaType, digest: b.digest, size: b.data.length };
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function fixtureInfo(registry: RegistryTarget, fixture: Fixture, layout: string): FixtureInfo {
  const info: FixtureInfo = {
    ref: `${registry.host}/${fixture.repository}:${fixture.tag}`,
    layout,
    manifestDigest: fixture.top.digest,
    // images[0] is amd64 in every fixture
    configDigest: fixture.images[0].config.digest,
  };
  if (fixture.top !== fixture.images[0].manifest) {
    info.platforms = Object.fromEntries(
      fixture.images.map((img) => [
        `${img.platform.os}/${img.platform.architecture}`,
        { manifestDigest: img.manifest.digest, configDigest: img.config.digest },
      ]),
    );
  }
  return info;
}

async function writeLayout(dir: string, fixture: Fixture): Promise<void> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const blobs = [fixture.top, ...fixture.images.flatMap((img) => [img.manifest, img.config, ...img.layers])];
  for (const b of blobs) await writeFile(join(blobsDir, b.digest.slice('sha256:'.length)), b.data);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI.index,
      manifests: [{ ...descriptor(fixture.top), annotations: { 'org.opencontainers.image.ref.name': fixture.tag } }],
    }),
  );
}

/**
 * Blobs first, then platform manifests by digest, then the top level by tag:
 * the registry rejects a manifest whose references it does not have yet.
 */
async function push(registry: RegistryTarget, fixture: Fixture): Promise<void> {
  const client = new PushClient(registry, fixture.repository);
  for (const img of fixture.images) {
    for (const b of [...img.layers, img.config]) await client.pushBlob(b);
    if (img.manifest !== fixture.top) await client.putManifest(img.manifest.digest, img.manifest);
  }
  await client.putManifest(fixture.tag, fixture.top);
}

class PushClient {
  private readonly base: string;
  private readonly authorization?: string;

  constructor(registry: RegistryTarget, repository: string) {
    this.base = `http://${registry.host}/v2/${repository}`;
    if (registry.username !== undefined) {
      const credentials = `${registry.username}:${registry.password ?? ''}`;
      this.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
  }

  async pushBlob(b: Content): Promise<void> {
    const head = await this.request('HEAD', `${this.base}/blobs/${b.digest}`, [200, 404]);
    if (head.status === 200) return;
    const started = await this.request('POST', `${this.base}/blobs/uploads/`, [202]);
    const location = started.headers.get('location');
    if (!location) throw new Error(`POST ${this.base}/blobs/uploads/: no Location header`);
    const upload = new URL(location, this.base);
    upload.searchParams.set('digest', b.digest);
    await this.request('PUT', upload.href, [201], { 'content-type': 'application/octet-stream' }, b.data);
  }

  async putManifest(reference: string, manifest: Content): Promise<void> {
    const url = `${this.base}/manifests/${reference}`;
    const res = await this.request('PUT', url, [201], { 'content-type': manifest.mediaType }, manifest.data);
    const digest = res.headers.get('docker-content-digest');
    if (digest !== manifest.digest) {
      throw new Error(`PUT ${url}: registry stored ${digest}, expected ${manifest.digest}`);
    }
  }

  private async request(
    method: string,
    url: string,
    expected: number[],
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Response> {
    if (this.authorization) headers = { ...headers, authorization: this.authorization };
    const res = await fetch(url, { method, headers, body: body && new Uint8Array(body) });
    // Drain the body so the connection goes back to the pool.
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${url}: ${res.status} ${text.trim()}`);
    return res;
  }
}

/**
 * A large image for benchmarks: the busybox base and `layerCount` layers of `layerBytes`
 * random (incompressible) bytes each, pushed to `registry` as `repository:latest`.
 */
export async function pushLargeImage(registry: RegistryTarget, repository: string, layerCount: number, layerBytes: number): Promise<string> {
  const layers: Layer[] = [await baseRootfs()];
  for (let index = 0; index < layerCount; index += 1) {
    const entries: TarEntry[] = [{ type: 'dir', path: 'data' }, { type: 'file', path: `data/${index}.bin`, data: randomBytes(layerBytes) }];
    layers.push({ createdBy: `bench: ${layerBytes} random bytes`, entries });
  }
  const fixture = singleImage(repository, image(OCI, amd64, layers, { Cmd: ['sh'], Env: [`PATH=${FIXTURE_PATH}`] }));
  await push(registry, fixture);
  return `${registry.host}/${repository}:latest`;
}
