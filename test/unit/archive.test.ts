import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isBerthError } from '../../src/errors.js';
import { archivePath, tarCheck, tarEntries, type TarEntry } from '../../src/image/archive/tar-read.js';
import { TarWriter } from '../../src/image/archive/tar-write.js';
import { tarball, type TarEntry as FixtureEntry } from '../world/tar.js';

async function entriesOf(archive: Buffer): Promise<{ path: string; kind: TarEntry['kind']; target?: string; data: string }[]> {
  const result = [];
  for await (const entry of tarEntries(Readable.from([archive]))) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    result.push({ path: entry.path, kind: entry.kind, ...(entry.target === undefined ? {} : { target: entry.target }), data: Buffer.concat(chunks).toString() });
  }
  return result;
}

function refusal(pattern: RegExp) {
  return (error: unknown) => isBerthError(error, 'invalid-argument') && pattern.test(error.message);
}

const sample: FixtureEntry[] = [
  { type: 'dir', path: 'blobs' },
  { type: 'file', path: 'blobs/a', data: 'alpha' },
  { type: 'symlink', path: 'blobs/b', target: 'a' },
  { type: 'file', path: 'index.json', data: '{}' },
];

describe('archivePath', () => {
  it('normalises paths inside the archive', () => {
    assert.equal(archivePath('./a//b/./c/', 'x'), 'a/b/c');
    assert.equal(archivePath('a/../b', 'x'), 'b');
    assert.equal(archivePath('.', 'x'), '');
  });

  it('refuses absolute paths and paths that climb out', () => {
    assert.throws(() => archivePath('../evil', '../evil'), refusal(/^refusing archive entry "\.\.\/evil": it leads outside the archive$/));
    assert.throws(() => archivePath('a/../../evil', 'a/../../evil'), refusal(/leads outside/));
    assert.throws(() => archivePath('/etc/passwd', '/etc/passwd'), refusal(/leads outside/));
  });
});

describe('tarEntries', () => {
  it('reads entries in order, links resolved against their directory', async () => {
    assert.deepEqual(await entriesOf(tarball(sample)), [
      { path: 'blobs', kind: 'directory', data: '' },
      { path: 'blobs/a', kind: 'file', data: 'alpha' },
      { path: 'blobs/b', kind: 'symlink', target: 'blobs/a', data: '' },
      { path: 'index.json', kind: 'file', data: '{}' },
    ]);
  });

  it('reads gzip-compressed archives', async () => {
    assert.deepEqual(await entriesOf(gzipSync(tarball(sample))), await entriesOf(tarball(sample)));
  });

  it('lets entries go unread', async () => {
    const paths: string[] = [];
    for await (const entry of tarEntries(Readable.from([tarball(sample)]))) paths.push(entry.path);
    assert.deepEqual(paths, ['blobs', 'blobs/a', 'blobs/b', 'index.json']);
  });

  it('refuses entries and links that lead out of the archive', async () => {
    await assert.rejects(entriesOf(tarball([{ type: 'file', path: '../evil', data: 'x' }])), refusal(/"\.\.\/evil"/));
    await assert.rejects(entriesOf(tarball([{ type: 'symlink', path: 'a/b', target: '../../x' }])), refusal(/"a\/b" \(a link to "\.\.\/\.\.\/x"\)/));
    await assert.rejects(entriesOf(tarball([{ type: 'symlink', path: 'a', target: '/etc/passwd' }])), refusal(/a link to "\/etc\/passwd"/));
  });

  it('refuses what is not a tar archive, and compressions it cannot read', async () => {
    await assert.rejects(entriesOf(Buffer.from('not a tar archive at all')), refusal(/^invalid tar archive/));
    await assert.rejects(entriesOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])), refusal(/^xz-compressed input is not supported/));
    await assert.rejects(entriesOf(gzipSync(tarball(sample)).subarray(0, 40)), refusal(/^invalid gzip data/));
  });

  it('refuses a truncated archive', async () => {
    const archive = tarball([{ type: 'file', path: 'big', data: Buffer.alloc(4096, 1) }]);
    await assert.rejects(entriesOf(archive.subarray(0, 2048)), refusal(/truncated input/));
  });
});

describe('TarWriter', () => {
  it('writes what tarEntries reads back, padded to blocks', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const tar = new TarWriter(out);
    await tar.directory('blobs');
    await tar.stream('blobs/x', 7, (async function* () {
      yield Buffer.from('abc');
      yield Buffer.from('defg');
    })());
    await tar.file('index.json', Buffer.from('{}'));
    await tar.finish();
    const archive = Buffer.concat(chunks);
    assert.equal(archive.length % 512, 0);
    assert.deepEqual(await entriesOf(archive), [
      { path: 'blobs', kind: 'directory', data: '' },
      { path: 'blobs/x', kind: 'file', data: 'abcdefg' },
      { path: 'index.json', kind: 'file', data: '{}' },
    ]);
  });

  it('fails when a body is not as long as announced', async () => {
    const tar = new TarWriter(new PassThrough());
    await assert.rejects(tar.stream('short', 10, [Buffer.from('abc')]), /expected 10 bytes, read 3/);
  });
});

describe('tarCheck', () => {
  it('accepts a tar archive and refuses anything else', async () => {
    const good = tarCheck();
    await good.write(tarball(sample));
    await good.end();
    const bad = tarCheck();
    await assert.rejects(
      (async () => {
        await bad.write(Buffer.alloc(1024, 7));
        await bad.end();
      })(),
      refusal(/^invalid tar archive/),
    );
  });
});
