// docker cp's path rules: which argument is the container, what `/` and `/.` assert, where an
// archive is extracted and under which name; and resolving paths inside a container's root.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import {
  absoluteContainerPath,
  absoluteLocalPath,
  copyDirection,
  planCopy,
  rebaseAfterSymlink,
  sourceEntryName,
  splitCopyArgument,
  splitPathDirEntry,
} from '../../src/runtime/containers/copy-paths.js';
import { readOnlyMounts, mountArgs } from '../../src/runtime/containers/container-fs.js';
import { resolveInRoot, statInRoot } from '../../src/runtime/containers/root-paths.js';

describe('cp arguments', () => {
  const cases: [string, ReturnType<typeof splitCopyArgument>][] = [
    ['web:/etc/hosts', { container: 'web', path: '/etc/hosts' }],
    ['web:etc', { container: 'web', path: 'etc' }],
    ['web:', { container: 'web', path: '' }],
    ['/abs/file:name.txt', { path: '/abs/file:name.txt' }],
    ['./file:name.txt', { path: './file:name.txt' }],
    ['file.txt', { path: 'file.txt' }],
    ['-', { path: '-' }],
  ];
  for (const [arg, expected] of cases) it(`splits ${arg}`, () => assert.deepEqual(splitCopyArgument(arg), expected));

  it('finds the direction, with docker’s messages when there is none', () => {
    assert.deepEqual(copyDirection('c:/etc', '-'), { direction: 'from', container: 'c', source: '/etc', destination: '-' });
    assert.deepEqual(copyDirection('-', 'c:/tmp'), { direction: 'to', container: 'c', source: '-', destination: '/tmp' });
    assert.throws(() => copyDirection('a:/x', 'b:/y'), /^BerthError: copying between containers is not supported$/);
    assert.throws(() => copyDirection('a', 'b'), /^BerthError: must specify at least one container source$/);
    assert.throws(() => copyDirection('', 'c:/x'), (error) => isBerthError(error, 'usage') && error.message === 'source can not be empty');
    assert.throws(() => copyDirection('c:/x', ''), (error) => isBerthError(error, 'usage') && error.message === 'destination can not be empty');
  });
});

describe('paths keep their trailing / and /.', () => {
  const containerPaths: [string, string][] = [
    ['etc', '/etc'],
    ['/etc/', '/etc/'],
    ['etc/.', '/etc/.'],
    ['/a/../b/./c/.', '/b/c/.'],
    ['', '/'],
    ['/', '/'],
  ];
  for (const [path, expected] of containerPaths) it(`container ${JSON.stringify(path)} → ${expected}`, () => assert.equal(absoluteContainerPath(path), expected));
  it('local paths are taken from the working directory', () => {
    assert.equal(absoluteLocalPath('out', '/home/me'), '/home/me/out');
    assert.equal(absoluteLocalPath('out/', '/home/me'), '/home/me/out/');
    assert.equal(absoluteLocalPath('.', '/home/me'), '/home/me/.');
    assert.equal(absoluteLocalPath('/x/./', '/home/me'), '/x/');
  });
  it('splits a path into parent and entry, `/.` naming the entry `.`', () => {
    assert.deepEqual(splitPathDirEntry('/a/b'), { dir: '/a', base: 'b' });
    assert.deepEqual(splitPathDirEntry('/a/b/'), { dir: '/a', base: 'b' });
    assert.deepEqual(splitPathDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
    assert.deepEqual(splitPathDirEntry('/'), { dir: '/', base: '/' });
  });
  it('after a symlink, names the entry as the user did', () => {
    assert.deepEqual(rebaseAfterSymlink('/link', '/real/target'), { path: '/real/target', rebaseName: 'link' });
    assert.deepEqual(rebaseAfterSymlink('/link/.', '/real/target'), { path: '/real/target/.' });
    assert.deepEqual(rebaseAfterSymlink('/same', '/other/same'), { path: '/other/same' });
  });
});

describe('docker cp’s copy rules (PrepareArchiveCopy)', () => {
  const file = { path: '/src/f.txt', isDir: false };
  const dir = { path: '/src/d', isDir: true };
  const content = { path: '/src/d/.', isDir: true };
  const missing = (path: string) => ({ path, exists: false, isDir: false });
  const existingDir = (path: string) => ({ path, exists: true, isDir: true });
  const existingFile = (path: string) => ({ path, exists: true, isDir: false });

  it('file → missing path: a file of that name', () => assert.deepEqual(planCopy(file, missing('/dst/new.txt')), { extractDir: '/dst', entryName: 'new.txt' }));
  it('file → missing path ending in /: no such directory', () =>
    assert.throws(() => planCopy(file, missing('/dst/new/')), (error) => isBerthError(error) && error.message === 'no such directory'));
  it('file → missing path ending in /.: no such directory', () => assert.throws(() => planCopy(file, missing('/dst/new/.')), /no such directory/));
  it('file → existing file: overwritten', () => assert.deepEqual(planCopy(file, existingFile('/dst/old.txt')), { extractDir: '/dst', entryName: 'old.txt' }));
  it('file → existing directory: into it, same name', () => assert.deepEqual(planCopy(file, existingDir('/dst')), { extractDir: '/dst', entryName: 'f.txt' }));
  it('directory → missing path: created with that name', () => assert.deepEqual(planCopy(dir, missing('/dst/copy')), { extractDir: '/dst', entryName: 'copy' }));
  it('directory → missing path ending in /: created too', () => assert.deepEqual(planCopy(dir, missing('/dst/copy/')), { extractDir: '/dst', entryName: 'copy' }));
  it('directory → existing file: cannot copy directory', () =>
    assert.throws(() => planCopy(dir, existingFile('/dst/f')), (error) => isBerthError(error) && error.message === 'cannot copy directory'));
  it('directory → existing directory: copied into it', () => assert.deepEqual(planCopy(dir, existingDir('/dst')), { extractDir: '/dst', entryName: 'd' }));
  it('directory/. → existing directory: its content copied into it', () => assert.deepEqual(planCopy(content, existingDir('/dst')), { extractDir: '/dst', entryName: '.' }));
  it('directory/. → missing path: the content becomes that directory', () => assert.deepEqual(planCopy(content, missing('/dst/new')), { extractDir: '/dst', entryName: 'new' }));
  it('-L through a symlink keeps the link’s name', () =>
    assert.deepEqual(planCopy({ path: '/etc/real', isDir: false, rebaseName: 'link' }, existingDir('/dst')), { extractDir: '/dst', entryName: 'link' }));
  it('names the archive’s top entry as the daemon does', () => {
    assert.equal(sourceEntryName({ path: '/etc', isDir: true }), 'etc');
    assert.equal(sourceEntryName({ path: '/etc/', isDir: true }), 'etc');
    assert.equal(sourceEntryName({ path: '/etc/.', isDir: true }), '.');
    assert.equal(sourceEntryName({ path: '/', isDir: true }), '.');
  });
});

describe('paths inside a container root', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-root-'));
  mkdirSync(join(root, 'etc/sub'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root\n');
  symlinkSync('/etc', join(root, 'abs')); // absolute: the container's /etc, never the host's
  symlinkSync('../../../../../../etc', join(root, 'up')); // climbs no higher than the root
  symlinkSync('sub/../passwd', join(root, 'etc/rel'));
  symlinkSync('loop', join(root, 'loop'));

  it('resolves absolute symlinks against the root', async () => assert.equal(await resolveInRoot(root, '/abs/passwd'), '/etc/passwd'));
  it('stops `..` at the root', async () => {
    assert.equal(await resolveInRoot(root, '/up/passwd'), '/etc/passwd');
    assert.equal(await resolveInRoot(root, '/../../etc'), '/etc');
  });
  it('follows relative symlinks from their directory', async () => assert.equal(await resolveInRoot(root, '/etc/rel'), '/etc/passwd'));
  it('keeps a missing rest as written', async () => assert.equal(await resolveInRoot(root, '/abs/none/x'), '/etc/none/x'));
  it('gives up on a symlink loop', async () => assert.rejects(resolveInRoot(root, '/loop'), (error: NodeJS.ErrnoException) => error.code === 'ELOOP'));
  it('stats the last component without following it, unless the path ends in /', async () => {
    const link = await statInRoot(root, '/abs');
    assert.equal(link.stats.isSymbolicLink(), true);
    assert.equal(link.linkTarget, '/etc');
    const followed = await statInRoot(root, '/abs/');
    assert.equal(followed.path, '/etc');
    assert.equal(followed.stats.isDirectory(), true);
    assert.equal((await statInRoot(root, '/up/.')).path, '/etc');
  });
  it('reports a missing path as ENOENT', async () => assert.rejects(statInRoot(root, '/abs/nothing'), (error: NodeJS.ErrnoException) => error.code === 'ENOENT'));
});

describe('mounting a stopped container’s snapshot', () => {
  const overlay = { type: 'overlay', source: 'overlay', target: '', options: ['index=off', 'workdir=/s/2/work', 'upperdir=/s/2/fs', 'lowerdir=/s/1/fs'] };
  it('read-only: the upper directory becomes the top lower one', () =>
    assert.deepEqual(readOnlyMounts([overlay])[0].options, ['lowerdir=/s/2/fs:/s/1/fs', 'index=off', 'ro']));
  it('read-only bind mounts get ro', () =>
    assert.deepEqual(readOnlyMounts([{ type: 'bind', source: '/s/1/fs', target: '', options: ['rbind', 'rw'] }])[0].options, ['rbind', 'ro']));
  it('builds mount(8) arguments', () => {
    assert.deepEqual(mountArgs(overlay, '/t'), ['-t', 'overlay', '-o', 'index=off,workdir=/s/2/work,upperdir=/s/2/fs,lowerdir=/s/1/fs', 'overlay', '/t']);
    assert.deepEqual(mountArgs({ type: 'bind', source: '/s/1/fs', target: '', options: ['rbind', 'ro'] }, '/t'), ['--rbind', '-o', 'ro', '/s/1/fs', '/t']);
  });
});
