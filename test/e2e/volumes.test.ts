// Volumes against the private containerd: named volumes that outlive containers, Docker's
// copy-up of the image's files, anonymous volumes and who removes them, --volumes-from,
// read-only and tmpfs mounts, the volume commands, and volumes in system df / prune.

import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { world } from './harness.js';
import { eventually, lines, scene, type Berth } from './containers-kit.js';

const check = (result: { code: number; stdout: string; stderr: string }) => assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);

async function volumeNames(b: Berth, ...args: string[]): Promise<string[]> {
  const listed = await b(['volume', 'ls', '-q', ...args]);
  check(listed);
  return lines(listed.stdout);
}

async function inspectVolume(b: Berth, name: string): Promise<Record<string, unknown>> {
  const inspected = await b(['volume', 'inspect', name]);
  check(inspected);
  const [volume] = JSON.parse(inspected.stdout) as Record<string, unknown>[];
  return volume;
}

describe('volumes', { timeout: 600_000 }, () => {
  it('a named volume keeps its data across containers; inspect shows it as Docker does', async () => {
    await scene(async ({ b, img, namespace }) => {
      check(await b(['run', '--rm', '-v', 'keep:/store', img, 'sh', '-c', 'echo kept > /store/file']));
      const read = await b(['run', '--rm', '-v', 'keep:/other:ro', img, 'cat', '/other/file']);
      check(read);
      assert.equal(read.stdout, 'kept\n');
      // a named volume is no container's to remove, --rm or not
      assert.deepEqual(await volumeNames(b), ['keep']);

      const volume = await inspectVolume(b, 'keep');
      assert.deepEqual(Object.keys(volume), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
      assert.equal(volume.Driver, 'local');
      assert.equal(volume.Scope, 'local');
      assert.match(String(volume.Mountpoint), new RegExp(`^${world().dataRoot}/[0-9a-f]{8}/volumes/${namespace}/keep/_data$`));
      assert.equal(await readFile(`${volume.Mountpoint}/file`, 'utf8'), 'kept\n');
      assert.equal((await b(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}}', 'keep'])).stdout, 'keep local\n');
      assert.equal((await b(['inspect', '--format', '{{.Name}} {{.Scope}}', 'keep'])).stdout, 'keep local\n');
      assert.equal((await b(['inspect', '--type', 'volume', '--format', '{{.Mountpoint}}', 'keep'])).stdout, `${volume.Mountpoint}\n`);

      check(await b(['create', '--name', 'user', '-v', 'keep:/store', img]));
      const mounts = JSON.parse((await b(['inspect', '--format', '{{json .Mounts}}', 'user'])).stdout) as unknown[];
      assert.deepEqual(mounts, [{ Type: 'volume', Name: 'keep', Source: volume.Mountpoint, Destination: '/store', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }]);
      assert.deepEqual(lines((await b(['ps', '-a', '--filter', 'volume=keep', '--format', '{{.Names}} {{.Mounts}} {{.LocalVolumes}}'])).stdout), ['user keep 1']);
      assert.deepEqual(lines((await b(['ps', '-a', '--filter', 'volume=/store', '--format', '{{.Names}}'])).stdout), ['user']);
      assert.deepEqual(lines((await b(['ps', '-a', '--filter', 'volume=other', '--format', '{{.Names}}'])).stdout), []);

      // concurrent creates of one name all succeed and make one volume
      const racing = await Promise.all([1, 2, 3, 4, 5].map(() => b(['volume', 'create', 'race'])));
      for (const result of racing) assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'race\n', '']);
      assert.deepEqual(await volumeNames(b), ['keep', 'race']);

      const missing = await b(['volume', 'inspect', 'nosuch']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, '[]\n');
      assert.match(missing.stderr, /get nosuch: no such volume/);
    });
  });

  it("a new volume starts with the image's files at its path, owners, modes and whiteouts included", async () => {
    await scene(
      async ({ b, img }) => {
        const { multi } = world().fixtures;
        // the multi fixture's /data had gone.txt deleted by a later layer: the copy must not bring it back
        const listed = await b(['run', '--rm', '-v', 'fresh:/data', '--entrypoint', 'ls', multi.ref, '/data']);
        check(listed);
        assert.deepEqual(lines(listed.stdout), ['keep.txt']);
        const home = await b(['run', '--rm', '-v', 'home:/home/app', img, 'stat', '-c', '%u:%g %a', '/home/app']);
        check(home);
        assert.equal(home.stdout, '1000:1000 755\n');
        const www = await b(['run', '--rm', '--mount', 'type=volume,src=site,dst=/www', img, 'cat', '/www/index.html']);
        check(www);
        assert.equal(www.stdout, 'hello from berth fixture\n');
        // a volume that already has files is not filled again
        check(await b(['run', '--rm', '-v', 'site:/www', img, 'sh', '-c', 'rm /www/index.html && echo mine > /www/own']));
        assert.deepEqual(lines((await b(['run', '--rm', '-v', 'site:/www', img, 'ls', '/www'])).stdout), ['own']);
        const nocopy = await b(['run', '--rm', '-v', 'bare:/www:nocopy', img, 'ls', '-A', '/www']);
        check(nocopy);
        assert.equal(nocopy.stdout, '');
      },
      { multi: true },
    );
  });

  it('volume rm refuses a volume in use, with or without -f, as Docker', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['volume', 'create', 'busy']));
      const created = await b(['create', '-v', 'busy:/busy', img]);
      check(created);
      const id = created.stdout.trim();
      for (const args of [['volume', 'rm', 'busy'], ['volume', 'rm', '-f', 'busy']]) {
        const refused = await b(args);
        assert.equal(refused.code, 1, args.join(' '));
        assert.equal(refused.stdout, '');
        assert.equal(refused.stderr.trim(), `remove busy: volume is in use - [${id}]`);
      }
      check(await b(['rm', id]));
      const removed = await b(['volume', 'rm', 'busy']);
      check(removed);
      assert.equal(removed.stdout, 'busy\n');
      assert.deepEqual(await volumeNames(b), []);
      const gone = await b(['volume', 'rm', 'busy']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /get busy: no such volume/);
      check(await b(['volume', 'rm', '-f', 'busy']));
    });
  });

  it('anonymous volumes (-v /path): removed by rm -v and --rm, kept by plain rm', async () => {
    await scene(async ({ b, img }) => {
      const made = await b(['create', '-v', '/data', img]);
      check(made);
      const [anonymous] = await volumeNames(b);
      assert.match(anonymous, /^[0-9a-f]{64}$/);
      const volume = await inspectVolume(b, anonymous);
      assert.deepEqual(volume.Labels, { 'com.docker.volume.anonymous': '' });
      check(await b(['rm', '-v', made.stdout.trim()]));
      assert.deepEqual(await volumeNames(b), []);

      const kept = await b(['create', '-v', '/data', img]);
      check(kept);
      check(await b(['rm', kept.stdout.trim()]));
      assert.equal((await volumeNames(b)).length, 1);
      check(await b(['volume', 'prune', '-f']));

      const ran = await b(['run', '--rm', '-v', '/data', '-v', 'named:/named', img, 'sh', '-c', 'echo x > /data/x']);
      check(ran);
      assert.deepEqual(await volumeNames(b), ['named']);

      const detached = await b(['run', '-d', '--rm', '-v', '/scratch', img, 'true']);
      check(detached);
      await eventuallyGone(b, detached.stdout.trim());
      assert.deepEqual(await volumeNames(b), ['named']);
    });
  });

  it('volume prune -f removes unused anonymous volumes only; -a the named ones too', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['volume', 'create', 'named']));
      const anonymous = (await b(['volume', 'create'])).stdout.trim();
      assert.match(anonymous, /^[0-9a-f]{64}$/);
      const usedBy = await b(['create', '-v', '/used', img]);
      check(usedBy);
      const inUse = (await volumeNames(b)).filter((name) => name !== 'named' && name !== anonymous);
      assert.equal(inUse.length, 1);

      assert.deepEqual(await volumeNames(b, '--filter', 'dangling=true'), [anonymous, 'named'].sort());
      assert.deepEqual(await volumeNames(b, '--filter', 'dangling=false'), inUse);

      const pruned = await b(['volume', 'prune', '-f']);
      check(pruned);
      assert.equal(pruned.stdout, `Deleted Volumes:\n${anonymous}\n\nTotal reclaimed space: 0B\n`);
      assert.deepEqual(await volumeNames(b), [...inUse, 'named'].sort());

      const asked = await b(['volume', 'prune', '-a'], { input: 'n\n' });
      check(asked);
      assert.match(asked.stderr, /^WARNING! This will remove all local volumes not used by at least one container\.\n/);
      assert.equal(asked.stdout, '');
      check(await b(['volume', 'create', '--label', 'keep=yes', 'labelled']));
      const all = await b(['volume', 'prune', '-f', '-a', '--filter', 'label!=keep']);
      check(all);
      assert.equal(all.stdout, 'Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n');
      assert.deepEqual(await volumeNames(b), [...inUse, 'labelled'].sort());
    });
  });

  it('--volumes-from takes over the volumes of another container, read-only with :ro', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['create', '--name', 'data', '-v', 'shared:/shared', '-v', '/anon', img]));
      check(await b(['run', '--rm', '--volumes-from', 'data', img, 'sh', '-c', 'echo hi > /shared/f && echo there > /anon/g']));
      const read = await b(['run', '--rm', '--volumes-from', 'data:ro', img, 'sh', '-c', 'cat /shared/f /anon/g; touch /shared/no']);
      assert.equal(read.code, 1);
      assert.equal(read.stdout, 'hi\nthere\n');
      assert.match(read.stderr, /Read-only file system/);
      // the taker's --rm left the giver's anonymous volume alone
      assert.equal((await volumeNames(b)).length, 2);
      const missing = await b(['run', '--rm', '--volumes-from', 'nosuch', img, 'true']);
      assert.equal(missing.code, 125);
      assert.match(missing.stderr, /No such container: nosuch/);
    });
  });

  it('--mount type=volume,readonly is read-only; type=tmpfs and driver-option volumes are tmpfs', async () => {
    await scene(async ({ b, img }) => {
      const readonly = await b(['run', '--rm', '--mount', 'type=volume,src=ro,dst=/ro,readonly', img, 'touch', '/ro/x']);
      assert.equal(readonly.code, 1);
      assert.match(readonly.stderr, /Read-only file system/);

      const tmpfs = await b(['run', '--rm', '--mount', 'type=tmpfs,dst=/scratch,tmpfs-size=1m', img, 'grep', ' /scratch ', '/proc/mounts']);
      check(tmpfs);
      assert.match(tmpfs.stdout, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,.*size=1024k/);

      check(await b(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=10m', 'mem']));
      const volume = await inspectVolume(b, 'mem');
      assert.deepEqual(volume.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=10m' });
      const mounted = await b(['run', '--rm', '-v', 'mem:/mem', img, 'sh', '-c', 'echo in-memory > /mem/f && df -k /mem | tail -1']);
      check(mounted);
      assert.match(mounted.stdout, /\s10240\s/);
      assert.equal(await readFile(`${volume.Mountpoint}/f`, 'utf8'), 'in-memory\n');
      check(await b(['volume', 'rm', 'mem']));
      await assert.rejects(stat(String(volume.Mountpoint)));
      const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
      assert.ok(!mountinfo.includes(String(volume.Mountpoint)), 'the tmpfs is unmounted');

      const bad = await b(['volume', 'create', '-d', 'nfs', 'x1']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /volume driver "nfs" is not supported/);
      const badOption = await b(['volume', 'create', '-o', 'type=tmpfs', 'x2']);
      assert.equal(badOption.code, 1);
      assert.match(badOption.stderr, /missing required option: "device"/);
    });
  });

  it('system df counts volumes; system prune --volumes removes unused anonymous ones', async () => {
    await scene(async ({ b, img }) => {
      check(await b(['run', '--rm', '-v', 'big:/big', img, 'sh', '-c', 'head -c 2000 /dev/zero > /big/zeros']));
      check(await b(['create', '-v', 'used:/used', img]));
      const anonymous = (await b(['volume', 'create'])).stdout.trim();
      const df = await b(['system', 'df', '--format', '{{json .}}']);
      check(df);
      const row = lines(df.stdout).map((line) => JSON.parse(line) as Record<string, string>).find((entry) => entry.Type === 'Local Volumes');
      assert.deepEqual(row, { Active: '1', Reclaimable: '2kB (100%)', Size: '2kB', TotalCount: '3', Type: 'Local Volumes' });
      const verbose = await b(['system', 'df', '-v']);
      check(verbose);
      assert.match(verbose.stdout, /Local Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n/);
      assert.match(verbose.stdout, /\nbig +0 +2kB\n/);
      assert.match(verbose.stdout, /\nused +1 +0B\n/);

      const pruned = await b(['system', 'prune', '-f', '--volumes']);
      check(pruned);
      assert.ok(pruned.stdout.includes(`Deleted Volumes:\n${anonymous}\n\n`), pruned.stdout);
      // the stopped container went first, but `used` is named: only anonymous volumes are pruned
      assert.deepEqual(await volumeNames(b), ['big', 'used']);
    });
  });
});

async function eventuallyGone(b: Berth, id: string): Promise<void> {
  await eventually(`container ${id} removed`, async () => !(await b(['ps', '-a', '-q', '--no-trunc'])).stdout.includes(id), 30_000, 200);
}
