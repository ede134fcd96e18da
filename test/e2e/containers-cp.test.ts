// `berth cp` as docker cp: files and directories both ways, for running and stopped containers,
// tar streams on stdin/stdout, ownership with and without -a, -L, Docker's path rules and
// messages — and a container's symlinks never lead berth to the host's files.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { berthEnv, lines, onTerminal, scene, shellQuote, type Berth } from './containers-kit.js';
import { runProcess } from '../world/world.js';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function hostDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cp-test-'));
  made.push(dir);
  return dir;
}

async function ok(b: Berth, args: string[], input?: Buffer): Promise<string> {
  const result = await b(args, input ? { input } : {});
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** What `sh -c SCRIPT` prints in the running container. */
const inside = (b: Berth, name: string, script: string) => ok(b, ['exec', name, 'sh', '-c', script]);

/** `uid/gid name` lines of a tar stream, as `tar tvn` shows owners. */
function tarOwners(archive: Buffer): string[] {
  return lines(execFileSync('tar', ['tvn'], { input: archive }).toString()).map((line) => {
    const fields = line.split(/\s+/);
    return `${fields[1]} ${fields[5]}`;
  });
}

/** No snapshot of a stopped container is left mounted, and no mount point behind. */
function assertNothingMounted(): void {
  assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), /berth-cp-[^/\s]*\s/);
  assert.deepEqual(
    readdirSync(tmpdir()).filter((name) => name.startsWith('berth-cp-') && !name.startsWith('berth-cp-test-')),
    [],
  );
}

/** A local tree: f.txt and d/sub/x, owned by 1234:5678. */
function localTree(): string {
  const dir = hostDir();
  writeFileSync(join(dir, 'f.txt'), 'hello\n');
  mkdirSync(join(dir, 'd/sub'), { recursive: true });
  writeFileSync(join(dir, 'd/sub/x'), 'x\n');
  for (const path of ['f.txt', 'd', 'd/sub', 'd/sub/x']) chownSync(join(dir, path), 1234, 5678);
  return dir;
}

test('cp a file and a directory into a running container and back out, with docker’s path rules', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    const local = localTree();

    await ok(b, ['cp', join(local, 'f.txt'), 'box:/tmp/']); // into an existing directory
    await ok(b, ['cp', join(local, 'f.txt'), 'box:/tmp/renamed.txt']); // to a new name
    await ok(b, ['cp', join(local, 'd'), 'box:/tmp/newd']); // a directory to a new name
    await ok(b, ['cp', join(local, 'd'), 'box:/tmp']); // a directory into a directory
    await ok(b, ['cp', `${join(local, 'd')}/.`, 'box:/tmp/newd']); // a directory's content
    assert.equal(await inside(b, 'box', 'cat /tmp/f.txt /tmp/renamed.txt'), 'hello\nhello\n');
    assert.equal(await inside(b, 'box', 'cd /tmp && find newd d | sort'), 'd\nd/sub\nd/sub/x\nnewd\nnewd/sub\nnewd/sub/x\n');

    await inside(b, 'box', 'mkdir -p /data/deep && echo from-c > /data/deep/file');
    const out = hostDir();
    await ok(b, ['cp', 'box:/data/deep/file', join(out, 'file')]);
    assert.equal(readFileSync(join(out, 'file'), 'utf8'), 'from-c\n');
    await ok(b, ['cp', 'box:/data', join(out, 'copy')]); // the directory becomes `copy`
    assert.equal(readFileSync(join(out, 'copy/deep/file'), 'utf8'), 'from-c\n');
    await ok(b, ['cp', 'box:data', out]); // container paths are relative to `/`
    assert.equal(readFileSync(join(out, 'data/deep/file'), 'utf8'), 'from-c\n');
    mkdirSync(join(out, 'content'));
    await ok(b, ['cp', 'box:/data/.', join(out, 'content')]);
    assert.deepEqual(readdirSync(join(out, 'content')), ['deep']);
    // what the container sees through its own mounts, as docker cp does
    assert.match(await ok(b, ['cp', 'box:/etc/hostname', '-']), /^hostname/);
  });
});

test('cp works on stopped containers (created and exited) and leaves nothing mounted', async () => {
  await scene(async ({ b, namespace, img }) => {
    await ok(b, ['create', '--name', 'fresh', img, 'cat', '/tmp/d/sub/x', '/tmp/f.txt']);
    await ok(b, ['run', '--name', 'done', img, 'sh', '-c', 'mkdir /out && echo result > /out/r']);
    const local = localTree();

    await ok(b, ['cp', join(local, 'f.txt'), 'fresh:/tmp/']);
    await ok(b, ['cp', join(local, 'd'), 'fresh:/tmp/d']);
    assertNothingMounted();
    assert.equal(await ok(b, ['start', '-a', 'fresh']), 'x\nhello\n');

    const out = hostDir();
    await ok(b, ['cp', 'done:/out/r', join(out, 'r')]);
    assert.equal(readFileSync(join(out, 'r'), 'utf8'), 'result\n');
    await ok(b, ['cp', 'done:/out', join(out, 'dir')]);
    assert.equal(readFileSync(join(out, 'dir/r'), 'utf8'), 'result\n');
    assert.deepEqual(lines((await piped(namespace, ['cp', 'done:/out', '-'], 'tar t')).stdout).sort(), ['out/', 'out/r']);
    await ok(b, ['cp', join(local, 'f.txt'), 'done:/out/']);
    assert.equal(await ok(b, ['cp', 'done:/out/f.txt', '-']).then((tar) => tar.includes('hello\n')), true);
    const failed = await b(['cp', 'done:/nowhere', join(out, 'x')]);
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'Error response from daemon: Could not find the file /nowhere in container done\n');
    assertNothingMounted();
  });
});

test('cp with - streams a tar archive: out to stdout, in from stdin (plain or gzipped)', async () => {
  await scene(async ({ b, namespace, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    await inside(b, 'box', 'mkdir -p /srv/a && echo 1 > /srv/a/one && ln -s /etc/passwd /srv/link');
    assert.deepEqual(lines((await piped(namespace, ['cp', 'box:/srv', '-'], 'tar t')).stdout).sort(), ['srv/', 'srv/a/', 'srv/a/one', 'srv/link']);
    assert.deepEqual(lines((await piped(namespace, ['cp', 'box:/srv/.', '-'], 'tar t')).stdout).sort(), ['./', './a/', './a/one', './link']);
    assert.deepEqual(lines((await piped(namespace, ['cp', 'box:/srv/a/one', '-'], 'tar t')).stdout), ['one']);
    // the symlink is archived as a symlink, its absolute target untouched
    assert.match((await piped(namespace, ['cp', 'box:/srv/link', '-'], 'tar tv')).stdout, /link -> \/etc\/passwd/);

    const local = localTree();
    const archive = execFileSync('tar', ['-C', join(local, 'd'), '-c', '.']);
    assert.equal((await b(['cp', '-', 'box:/tmp'], { input: archive })).code, 0);
    assert.equal(await inside(b, 'box', 'cat /tmp/sub/x'), 'x\n');
    const gzipped = execFileSync('sh', ['-c', `tar -C ${local} -cz f.txt`]);
    await ok(b, ['cp', '-', 'box:/root'], gzipped);
    assert.equal(await inside(b, 'box', 'cat /root/f.txt'), 'hello\n');

    const notDir = await b(['cp', '-', 'box:/tmp/sub/x'], { input: archive });
    assert.equal(notDir.code, 1);
    assert.equal(notDir.stderr, 'destination "box:/tmp/sub/x" must be a directory\n');
  });
});

test("ownership as Docker 28 does it: into a container files keep their uid/gid, with -a they become the container user's; out of one they are the caller's", async () => {
  await scene(async ({ b, namespace, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    await ok(b, ['run', '-d', '--name', 'appbox', '-u', '1000:1000', img, 'sleep', '1000']);
    const local = localTree();
    await ok(b, ['cp', join(local, 'd'), 'box:/plain']);
    await ok(b, ['cp', '-a', join(local, 'd'), 'box:/rooted']);
    await ok(b, ['cp', '-a', join(local, 'd'), 'appbox:/tmp/app']);
    assert.equal(await inside(b, 'box', 'stat -c "%u:%g %n" /plain /plain/sub/x /rooted /rooted/sub/x'), '1234:5678 /plain\n1234:5678 /plain/sub/x\n0:0 /rooted\n0:0 /rooted/sub/x\n');
    assert.equal(await inside(b, 'appbox', 'stat -c "%u:%g %n" /tmp/app /tmp/app/sub/x'), '1000:1000 /tmp/app\n1000:1000 /tmp/app/sub/x\n');
    const archive = execFileSync('tar', ['-C', local, '-c', 'f.txt']);
    await ok(b, ['cp', '-', 'box:/tmp'], archive);
    await ok(b, ['cp', '-a', '-', 'appbox:/tmp'], archive);
    assert.equal(await inside(b, 'box', 'stat -c "%u:%g" /tmp/f.txt'), '1234:5678\n');
    assert.equal(await inside(b, 'appbox', 'stat -c "%u:%g" /tmp/f.txt'), '1000:1000\n');

    await inside(b, 'box', 'mkdir /owned && echo o > /owned/file && chown -R 42:43 /owned');
    assert.deepEqual(tarOwners(await tarBytes(namespace, 'box:/owned')), ['42/43 owned/', '42/43 owned/file']);
    const out = hostDir();
    await ok(b, ['cp', 'box:/owned', join(out, 'mine')]);
    await ok(b, ['cp', '-a', 'box:/owned', join(out, 'also-mine')]);
    const owner = (path: string) => `${statSync(path).uid}:${statSync(path).gid}`;
    const caller = `${process.getuid!()}:${process.getgid!()}`;
    assert.equal(owner(join(out, 'mine/file')), caller);
    assert.equal(owner(join(out, 'also-mine/file')), caller);
    assert.equal(owner(join(out, 'also-mine')), caller);
  });
});

test('-L copies what a symlink points to, named as the link; without it the link itself', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    await inside(b, 'box', 'mkdir /real && echo target > /real/file && ln -s /real/file /flink && ln -s real /dlink');
    const out = hostDir();
    await ok(b, ['cp', 'box:/flink', join(out, 'plain')]);
    assert.equal(readlinkSync(join(out, 'plain')), '/real/file');
    await ok(b, ['cp', '-L', 'box:/flink', join(out, 'followed')]);
    assert.equal(lstatSync(join(out, 'followed')).isFile(), true);
    assert.equal(readFileSync(join(out, 'followed'), 'utf8'), 'target\n');
    await ok(b, ['cp', '-L', 'box:/flink', out]);
    assert.equal(readFileSync(join(out, 'flink'), 'utf8'), 'target\n');
    await ok(b, ['cp', '--follow-link', 'box:/dlink', out]);
    assert.equal(readFileSync(join(out, 'dlink/file'), 'utf8'), 'target\n');

    const local = hostDir();
    writeFileSync(join(local, 'real.txt'), 'local target\n');
    execFileSync('ln', ['-s', join(local, 'real.txt'), join(local, 'link.txt')]);
    await ok(b, ['cp', join(local, 'link.txt'), 'box:/tmp/']);
    assert.equal(await inside(b, 'box', 'readlink /tmp/link.txt'), `${join(local, 'real.txt')}\n`);
    await ok(b, ['cp', '-L', join(local, 'link.txt'), 'box:/tmp/copied.txt']);
    assert.equal(await inside(b, 'box', 'cat /tmp/copied.txt'), 'local target\n');
  });
});

test('a container’s symlinks are resolved inside the container: /x -> HOSTDIR never reaches the host', async () => {
  await scene(async ({ b, img }) => {
    const secret = hostDir();
    writeFileSync(join(secret, 'marker'), 'host only\n');
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    await ok(b, ['create', '--name', 'stopped', img, 'true']);
    const local = localTree();
    await inside(b, 'box', `ln -s ${secret} /x && ln -s ../../../../../../../..${secret} /y`);
    await ok(b, ['cp', '-', 'stopped:/'], execFileSync('sh', ['-c', `d=$(mktemp -d) && ln -s ${secret} $d/x && tar -C $d -c x && rm -r $d`]));
    for (const [container, link] of [['box', '/x'], ['box', '/y'], ['stopped', '/x']]) {
      const read = await b(['cp', `${container}:${link}/marker`, '-']);
      assert.equal(read.code, 1, `${container}:${link}: ${read.stdout}`);
      assert.equal(read.stderr, `Error response from daemon: Could not find the file ${link}/marker in container ${container}\n`);
      const write = await b(['cp', join(local, 'f.txt'), `${container}:${link}/`]);
      assert.equal(write.code, 1, write.stderr);
      const followed = await b(['cp', '-L', `${container}:${link}`, '-']);
      assert.equal(followed.code, 1, followed.stderr);
    }
    assert.deepEqual(readdirSync(secret), ['marker']);

    // the same path inside the container is where the files go
    await inside(b, 'box', `mkdir -p ${secret} && echo container > ${secret}/marker`);
    await ok(b, ['cp', join(local, 'f.txt'), 'box:/x/']);
    assert.equal(await inside(b, 'box', `cat ${secret}/f.txt ${secret}/marker`), 'hello\ncontainer\n');
    assert.match(await ok(b, ['cp', 'box:/y/marker', '-']), /container\n/);
    assert.deepEqual(readdirSync(secret), ['marker']);
    assert.equal(readFileSync(join(secret, 'marker'), 'utf8'), 'host only\n');
    assertNothingMounted();
  });
});

test('errors: docker’s messages and exit codes', async () => {
  await scene(async ({ b, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    const local = localTree();
    const out = hostDir();
    const expect = async (args: string[], code: number, stderr: string) => {
      const result = await b(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr, stderr, args.join(' '));
    };
    await expect(['cp', 'box:/nonexistent', out], 1, 'Error response from daemon: Could not find the file /nonexistent in container box\n');
    await expect(['cp', join(local, 'f.txt'), 'box:/nonexistent/dir/'], 1, 'no such directory\n');
    await expect(['cp', join(local, 'f.txt'), 'box:/nonexistent/file'], 1, 'Error response from daemon: Could not find the file /nonexistent in container box\n');
    await inside(b, 'box', 'echo f > /tmp/file');
    await expect(['cp', join(local, 'd'), 'box:/tmp/file'], 1, 'cannot copy directory\n');
    await expect(['cp', 'box:/etc', join(local, 'f.txt')], 1, 'cannot copy directory\n');
    await expect(['cp', 'box:/etc/hostname', join(out, 'missing/dir/file')], 1, `invalid output path: directory "${join(out, 'missing/dir')}" does not exist\n`);
    await expect(['cp', 'box:/etc/hostname', `${join(out, 'nodir')}/`], 1, 'no such directory\n');
    await expect(['cp', join(local, 'nothing'), 'box:/tmp'], 1, `lstat ${join(local, 'nothing')}: no such file or directory\n`);
    await expect(['cp', 'nope:/etc', out], 1, 'No such container: nope\n');
    await expect(['cp', 'box:/etc', 'box:/tmp'], 1, 'copying between containers is not supported\n');
    await expect(['cp', join(local, 'f.txt'), out], 1, 'must specify at least one container source\n');
    // docker 28: too few arguments is exit 1, with both usage lines
    const usage = await b(['cp', 'box:/etc']);
    assert.equal(usage.code, 1, usage.stderr);
    assert.equal(usage.stderr, "berth: 'berth cp' requires 2 arguments\n\nUsage:  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\nRun 'berth cp --help' for more information\n");
  });
});

test('progress: Docker’s line and summary on a terminal, nothing on a pipe, nothing with -q', async () => {
  await scene(async ({ b, namespace, img }) => {
    await ok(b, ['run', '-d', '--name', 'box', img, 'sleep', '1000']);
    const local = localTree();
    const piped = await b(['cp', join(local, 'f.txt'), 'box:/tmp/p.txt']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '');
    await onTerminal(['-n', namespace, 'cp', join(local, 'f.txt'), 'box:/tmp/t.txt'], async (terminal) => {
      assert.equal(await terminal.exit(), 0, terminal.shown);
      assert.match(terminal.shown, /Preparing to copy\.\.\./);
      assert.match(terminal.shown, /Copying to container - /);
      assert.match(terminal.shown, /Successfully copied 2\.05kB to box:\/tmp\/t\.txt\r\n$/);
    });
    const out = hostDir();
    await onTerminal(['-n', namespace, 'cp', 'box:/tmp/t.txt', join(out, 't.txt')], async (terminal) => {
      assert.equal(await terminal.exit(), 0, terminal.shown);
      assert.match(terminal.shown, /Copying from container - /);
      assert.match(terminal.shown, new RegExp(`Successfully copied 2\\.05kB to ${join(out, 't.txt')}\\r\\n$`));
    });
    await onTerminal(['-n', namespace, 'cp', '-q', 'box:/tmp/t.txt', join(out, 'q.txt')], async (terminal) => {
      assert.equal(await terminal.exit(), 0, terminal.shown);
      assert.equal(terminal.shown, '');
    });
    assert.equal(readFileSync(join(out, 'q.txt'), 'utf8'), 'hello\n');
  });
});

const BERTH_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** `berth -n NAMESPACE ARGS | SHELL_COMMAND`, for binary output. */
function piped(namespace: string, args: string[], into: string) {
  const command = `${[process.execPath, BERTH_BIN, '-n', namespace, ...args].map(shellQuote).join(' ')} | ${into}`;
  return runProcess('sh', ['-c', command], { env: berthEnv() });
}

/** The tar stream `berth cp SRC -` writes, as bytes. */
function tarBytes(namespace: string, source: string): Buffer {
  return execFileSync(process.execPath, [BERTH_BIN, '-n', namespace, 'cp', source, '-'], { env: berthEnv() });
}
