import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeSet, compareChangePaths, type LayerEntry } from '../../src/runtime/containers/change-set.js';

const dir = (path: string, mtime = 100, mode = 0o755): LayerEntry => ({ path: `${path}/`, directory: true, mode, uid: 0, gid: 0, mtime });
const file = (path: string, mtime = 100): LayerEntry => ({ path, directory: false, mode: 0o644, uid: 0, gid: 0, mtime });
const render = (changes: ReturnType<typeof changeSet>) => changes.map((change) => `${change.kind} ${change.path}`);

test('a whiteout forward is D, one in reverse is A, any other entry C; parents of A and D are C', () => {
  const forward = [dir('bin', 200), file('bin/.wh.vi'), dir('etc'), file('etc/passwd', 200), dir('root', 200), file('root/new', 200)];
  const reverse = [dir('bin', 100), file('bin/vi'), dir('etc'), file('etc/passwd'), dir('root', 100), file('root/.wh.new')];
  assert.deepEqual(render(changeSet(forward, reverse)), ['C /bin', 'D /bin/vi', 'C /etc/passwd', 'C /root', 'A /root/new']);
});

test('an unchanged parent directory the differ wrote is not listed; one that changed mode is', () => {
  const forward = [dir('etc'), file('etc/passwd', 200), dir('opt', 100, 0o700), file('opt/x', 200)];
  const reverse = [dir('etc'), file('etc/passwd'), dir('opt'), file('opt/x')];
  assert.deepEqual(render(changeSet(forward, reverse)), ['C /etc/passwd', 'C /opt', 'C /opt/x']);
});

test('an added directory is A with everything in it; a deleted one is one D', () => {
  const forward = [dir('data'), file('data/a'), dir('data/sub'), file('data/sub/b'), file('.wh.old')];
  const reverse = [file('.wh.data'), dir('old'), file('old/x')];
  assert.deepEqual(render(changeSet(forward, reverse)), ['A /data', 'A /data/a', 'A /data/sub', 'A /data/sub/b', 'D /old']);
});

test("the runtime's mount points are left out, and so is their directory's new mtime", () => {
  const forward = [dir('dev'), dir('etc', 300), file('etc/hosts'), file('etc/resolv.conf'), dir('proc')];
  const reverse = [file('.wh.dev'), dir('etc', 100), file('etc/.wh.hosts'), file('etc/.wh.resolv.conf'), file('.wh.proc')];
  assert.deepEqual(render(changeSet(forward, reverse, ['/dev', '/etc/hosts', '/etc/resolv.conf', '/proc'])), []);
  // a mount point the image already had, and which the container changed, is listed
  assert.deepEqual(render(changeSet([dir('etc'), file('etc/hosts', 200)], [dir('etc'), file('etc/hosts')], ['/etc/hosts'])), ['C /etc/hosts']);
});

test("Docker's order is a walk of the tree: /a/b before /a-b", () => {
  assert.deepEqual(['a-b', 'a/b', 'a', 'a.c'].sort(compareChangePaths), ['a', 'a/b', 'a-b', 'a.c']);
});

test("commit's config: the base's, the container's settings amended by --change, a history entry, the new diff ID", async () => {
  const { committedConfig } = await import('../../src/image/commit.js');
  const base = {
    architecture: 'amd64',
    os: 'linux',
    author: 'someone else',
    config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: ['sha256:aa'] },
    history: [{ created_by: 'base' }],
    'moby.buildkit.buildinfo.v1': 'kept',
  };
  const config = committedConfig(base, {
    platform: { os: 'linux', architecture: 'amd64' },
    containerConfig: { Cmd: ['sh', '-c', 'touch /x'], Env: ['PATH=/bin'] },
    changes: ['CMD ["echo","hi"]', 'ENV A=1'],
    author: 'Me',
    comment: 'why',
    createdBy: 'sh -c touch /x',
    diffId: 'sha256:bb',
    created: '2026-01-01T00:00:00Z',
  });
  assert.deepEqual(config, {
    architecture: 'amd64',
    os: 'linux',
    'moby.buildkit.buildinfo.v1': 'kept',
    created: '2026-01-01T00:00:00Z',
    author: 'Me',
    comment: 'why',
    config: { Cmd: ['echo', 'hi'], Env: ['PATH=/bin', 'A=1'] },
    rootfs: { type: 'layers', diff_ids: ['sha256:aa', 'sha256:bb'] },
    history: [{ created_by: 'base' }, { created: '2026-01-01T00:00:00Z', author: 'Me', created_by: 'sh -c touch /x', comment: 'why' }],
  });
});
