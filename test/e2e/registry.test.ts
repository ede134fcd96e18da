// login/logout against the htpasswd registry, tag and push into the open one, and the pushed
// image pulled back by digest: what berth sends, a registry serves and berth pulls again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { berth, ctr, inFreshNamespace, uniqueName, world, type Result } from './harness.js';

/** An empty DOCKER_CONFIG of the test's own, so that no other test sees its logins. */
async function freshDockerConfig(): Promise<string> {
  return mkdtemp(join(world().tmp, 'docker-config-'));
}

async function readConfig(dir: string): Promise<{ auths?: Record<string, { auth?: string }> }> {
  return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
}

async function contentDigests(namespace: string): Promise<string[]> {
  return (await ctr(['content', 'ls', '-q'], namespace)).stdout.split('\n').filter(Boolean).sort();
}

/** The digest and size of Docker's closing line, `TAG: digest: sha256:… size: N`. */
function closingLine(result: Result, tag: string): { digest: string; size: number } {
  const match = new RegExp(`^${tag}: digest: (sha256:[a-f0-9]{64}) size: (\\d+)$`, 'm').exec(result.stdout);
  assert.ok(match, `no closing line for ${tag} in ${JSON.stringify(result.stdout)}`);
  return { digest: match[1], size: Number(match[2]) };
}

test('the auth registry: pull needs a login; login stores the credentials 0600; logout removes them', async () => {
  const { host, username, password } = world().authRegistry;
  const ref = `${host}/fixtures/single:latest`;
  const dockerConfig = await freshDockerConfig();
  const env = { DOCKER_CONFIG: dockerConfig };
  await inFreshNamespace('registry', async (namespace) => {
    const refused = await berth(['-n', namespace, 'pull', ref], { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /unauthorized|authentication/);
    assert.match(refused.stderr, new RegExp(`berth login ${host.replaceAll('.', '\\.')}`));

    const wrong = await berth(['login', '-u', username, '--password-stdin', host], { env, input: 'not-the-password\n' });
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /unauthorized: authentication required/);
    assert.doesNotMatch(wrong.stderr, /berth login/);
    await assert.rejects(stat(join(dockerConfig, 'config.json')), /ENOENT/);

    const login = await berth(['login', '-u', username, '--password-stdin', host], { env, input: `${password}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, 'Login Succeeded\n');
    assert.equal((await stat(join(dockerConfig, 'config.json'))).mode & 0o777, 0o600);
    const stored = (await readConfig(dockerConfig)).auths?.[host]?.auth;
    assert.equal(Buffer.from(stored ?? '', 'base64').toString(), `${username}:${password}`);

    const pulled = await berth(['-n', namespace, 'pull', '-q', ref], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${ref}\n`);

    const logout = await berth(['logout', host], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(logout.stdout, `Removing login credentials for ${host}\n`);
    assert.equal((await readConfig(dockerConfig)).auths?.[host], undefined);
    const again = await berth(['logout', host], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `Not logged in to ${host}\n`);
  });
});

test('login: stored credentials are tried first; Docker’s option errors and warnings', async () => {
  const { host, username, password } = world().authRegistry;
  const env = { DOCKER_CONFIG: await freshDockerConfig() };

  const noTerminal = await berth(['login', host], { env });
  assert.equal(noTerminal.code, 1);
  assert.match(noTerminal.stderr, /cannot perform an interactive login from a non TTY device/);

  const both = await berth(['login', '-u', username, '-p', password, '--password-stdin', host], { env, input: password });
  assert.equal(both.code, 1);
  assert.match(both.stderr, /WARNING! Using --password via the CLI is insecure\. Use --password-stdin\./);
  assert.match(both.stderr, /--password and --password-stdin are mutually exclusive/);

  const noUser = await berth(['login', '--password-stdin', host], { env, input: password });
  assert.equal(noUser.code, 1);
  assert.match(noUser.stderr, /must provide --username with --password-stdin/);

  const withFlag = await berth(['login', '-u', username, '-p', password, `http://${host}/v2/`], { env });
  assert.equal(withFlag.code, 0, withFlag.stderr);
  assert.equal(withFlag.stdout, 'Login Succeeded\n');
  assert.match(withFlag.stderr, /WARNING! Using --password via the CLI is insecure/);

  // Without -u and -p the stored credentials are checked again, as `docker login` does.
  const stored = await berth(['login', host], { env });
  assert.equal(stored.code, 0, stored.stderr);
  assert.equal(stored.stdout, 'Login Succeeded\n');
  assert.match(stored.stderr, new RegExp(`Authenticating with existing credentials\\.\\.\\. \\[Username: ${username}\\]`));
});

test('tag, push to a new repository, pull the pushed digest elsewhere: the same content', async () => {
  const { ref, manifestDigest, configDigest } = world().fixtures.multi;
  const repository = `${world().registry.host}/${uniqueName('pushed')}/multi`;
  await inFreshNamespace('registry', async (source) => {
    assert.equal((await berth(['-n', source, 'pull', '-q', ref])).code, 0);
    const tagged = await berth(['-n', source, 'tag', ref, `${repository}:v1`]);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(tagged.stdout, '');

    const pushed = await berth(['-n', source, 'push', `${repository}:v1`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const { digest, size } = closingLine(pushed, 'v1');
    // The manifest goes byte for byte as it was pulled, so its digest is the fixture's.
    assert.equal(digest, manifestDigest);
    assert.ok(size > 0);
    assert.equal(pushed.stdout.trim().split('\n').length, 1, pushed.stdout);
    assert.match(pushed.stderr, new RegExp(`^The push refers to repository \\[${repository.replaceAll('.', '\\.')}\\]$`, 'm'));
    assert.match(pushed.stderr, /^[a-f0-9]{12}: Preparing$/m);
    assert.match(pushed.stderr, /^[a-f0-9]{12}: Pushed$/m);
    assert.doesNotMatch(pushed.stderr, /Layer already exists/);

    const twice = await berth(['-n', source, 'push', `${repository}:v1`]);
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(closingLine(twice, 'v1').digest, digest);
    assert.match(twice.stderr, /^[a-f0-9]{12}: Layer already exists$/m);
    assert.doesNotMatch(twice.stderr, /: Pushed$/m);

    await inFreshNamespace('registry', async (target) => {
      const byDigest = `${repository}@${digest}`;
      const pulled = await berth(['-n', target, 'pull', byDigest]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
      const content = await contentDigests(target);
      assert.ok(content.includes(configDigest));
      assert.deepEqual(content, await contentDigests(source));
    });
  });
});

test('tag by image ID prefix; a digest as the target is refused; -q and --all-tags', async () => {
  const { ref, configDigest } = world().fixtures.single;
  const repository = `${world().registry.host}/${uniqueName('tags')}/single`;
  await inFreshNamespace('registry', async (namespace) => {
    assert.equal((await berth(['-n', namespace, 'pull', '-q', ref])).code, 0);
    const shortId = configDigest.slice('sha256:'.length, 'sha256:'.length + 12);
    for (const tag of ['v1', 'v2']) assert.equal((await berth(['-n', namespace, 'tag', shortId, `${repository}:${tag}`])).code, 0);
    const listed = await ctr(['images', 'ls', '-q'], namespace);
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), [ref, `${repository}:v1`, `${repository}:v2`].sort());

    const byDigest = await berth(['-n', namespace, 'tag', ref, `${repository}@${configDigest}`]);
    assert.equal(byDigest.code, 125);
    assert.match(byDigest.stderr, /refusing to create a tag with a digest reference/);
    const missing = await berth(['-n', namespace, 'tag', 'no-such-image', `${repository}:v3`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: no-such-image/);

    const quiet = await berth(['-n', namespace, 'push', '-q', `${repository}:v1`]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, `${repository}:v1\n`);
    assert.equal(quiet.stderr, '');

    const all = await berth(['-n', namespace, 'push', '--all-tags', repository]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(closingLine(all, 'v1').digest, closingLine(all, 'v2').digest);
    const withTag = await berth(['-n', namespace, 'push', '-a', `${repository}:v1`]);
    assert.equal(withTag.code, 125);
    assert.match(withTag.stderr, /tag can't be used with --all-tags\/-a/);
  });
});

test('an index: whole when all of it is here, one platform when not, or as --platform asks', async () => {
  const { ref, manifestDigest, platforms = {} } = world().fixtures.index;
  const repository = `${world().registry.host}/${uniqueName('index')}/multiarch`;
  await inFreshNamespace('registry', async (namespace) => {
    assert.equal((await berth(['-n', namespace, 'pull', '-q', '--platform', 'linux/arm64', ref])).code, 0);
    assert.equal((await berth(['-n', namespace, 'tag', ref, `${repository}:arm`])).code, 0);
    const partial = await berth(['-n', namespace, 'push', `${repository}:arm`]);
    assert.equal(partial.code, 0, partial.stderr);
    assert.equal(closingLine(partial, 'arm').digest, platforms['linux/arm64'].manifestDigest);
    assert.match(partial.stderr, /Not all multiplatform-content is present/);
  });
  await inFreshNamespace('registry', async (namespace) => {
    assert.equal((await berth(['-n', namespace, 'pull', '-q', '--all-platforms', ref])).code, 0);
    assert.equal((await berth(['-n', namespace, 'tag', ref, `${repository}:all`])).code, 0);
    const whole = await berth(['-n', namespace, 'push', `${repository}:all`]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(closingLine(whole, 'all').digest, manifestDigest);

    const one = await berth(['-n', namespace, 'push', '--platform', 'linux/amd64', `${repository}:all`]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(closingLine(one, 'all').digest, platforms['linux/amd64'].manifestDigest);
    const absent = await berth(['-n', namespace, 'push', '--platform', 'linux/s390x', `${repository}:all`]);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /no matching manifest for linux\/s390x/);
  });
});

test('push: without login the auth registry refuses with the login hint; an absent image fails', async () => {
  const { ref } = world().fixtures.single;
  const { host } = world().authRegistry;
  const target = `${host}/${uniqueName('denied')}/single:latest`;
  const env = { DOCKER_CONFIG: await freshDockerConfig() };
  await inFreshNamespace('registry', async (namespace) => {
    assert.equal((await berth(['-n', namespace, 'pull', '-q', ref])).code, 0);
    assert.equal((await berth(['-n', namespace, 'tag', ref, target])).code, 0);
    const refused = await berth(['-n', namespace, 'push', target], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unauthorized: authentication required/);
    assert.match(refused.stderr, new RegExp(`run \`berth login ${host.replaceAll('.', '\\.')}\``));

    const absent = await berth(['-n', namespace, 'push', `${world().registry.host}/nothing/here`]);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /An image does not exist locally with the tag: /);
  });
});
