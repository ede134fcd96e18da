import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgv, type CommandSpec } from '../../src/cli/argv.js';
import { isBerthError, exitCodeOf } from '../../src/errors.js';

// A command table shaped like berth's real one: the traps are in these flags.
const COMMANDS: CommandSpec[] = [
  { id: 'images', aliases: ['image:ls'], flags: [{ name: 'quiet', aliases: [], char: 'q', takesValue: false }, { name: 'format', aliases: [], char: 'f', takesValue: true }], splitAtFirstPositional: false },
  { id: 'ps', aliases: ['container:ls'], flags: [{ name: 'last', aliases: [], char: 'n', takesValue: true }, { name: 'all', aliases: [], char: 'a', takesValue: false }], splitAtFirstPositional: false },
  { id: 'logs', aliases: [], flags: [{ name: 'tail', aliases: [], char: 'n', takesValue: true }, { name: 'follow', aliases: [], char: 'f', takesValue: false }], splitAtFirstPositional: false },
  { id: 'inspect', aliases: [], flags: [{ name: 'format', aliases: [], char: 'f', takesValue: true }], splitAtFirstPositional: false },
  {
    id: 'run',
    aliases: ['container:run'],
    flags: [
      { name: 'hostname', aliases: [], char: 'h', takesValue: true },
      { name: 'cpu-shares', aliases: [], char: 'c', takesValue: true },
      { name: 'publish', aliases: [], char: 'p', takesValue: true },
      { name: 'interactive', aliases: [], char: 'i', takesValue: false },
      { name: 'tty', aliases: [], char: 't', takesValue: false },
      { name: 'detach', aliases: [], char: 'd', takesValue: false },
      { name: 'env', aliases: [], char: 'e', takesValue: true },
      { name: 'name', aliases: [], takesValue: true },
      { name: 'rm', aliases: [], takesValue: false },
    ],
    splitAtFirstPositional: true,
  },
  { id: 'exec', aliases: [], flags: [{ name: 'interactive', aliases: [], char: 'i', takesValue: false }, { name: 'tty', aliases: [], char: 't', takesValue: false }], splitAtFirstPositional: true },
  { id: 'namespace:ls', aliases: ['namespace:list'], flags: [], splitAtFirstPositional: false },
  { id: 'namespace:remove', aliases: ['namespace:rm'], flags: [], splitAtFirstPositional: false },
];

const split = (...argv: string[]) => splitArgv(argv, COMMANDS);

test('global flags before the command, short and long, = and separate values', () => {
  assert.deepEqual(split('-n', 'k8s.io', 'images').globals, { namespace: 'k8s.io' });
  assert.deepEqual(split('--namespace=k8s.io', 'images').globals, { namespace: 'k8s.io' });
  assert.deepEqual(split('-nk8s.io', 'images').globals, { namespace: 'k8s.io' });
  assert.deepEqual(split('-H', 'unix:///x.sock', '--debug', 'images').globals, { address: 'unix:///x.sock', debug: true });
  assert.deepEqual(split('--host', '/x.sock', 'images').globals, { address: '/x.sock' });
  assert.equal(split('-n', 'k8s.io', 'images').commandId, 'images');
});

test('repeatable global flag collects every value', () => {
  assert.deepEqual(split('--insecure-registry', 'a:5000', '--insecure-registry=b', 'images').globals, { 'insecure-registry': ['a:5000', 'b'] });
});

test('long global flags after the command name, up to the first positional', () => {
  const result = split('images', '--namespace', 'k8s.io', '-q');
  assert.deepEqual(result.globals, { namespace: 'k8s.io' });
  assert.deepEqual(result.commandArgv, ['-q']);
  const late = split('images', 'busybox', '--namespace', 'x');
  assert.deepEqual(late.globals, {});
  assert.deepEqual(late.commandArgv, ['busybox', '--namespace', 'x']);
});

test("a command's own short flags win over global shorts", () => {
  assert.deepEqual(split('ps', '-n', '5').commandArgv, ['-n', '5']);
  assert.deepEqual(split('ps', '-n', '5').globals, {});
  assert.deepEqual(split('logs', '-n', '10', 'web').commandArgv, ['-n', '10', 'web']);
  assert.deepEqual(split('-n', 'k8s.io', 'logs', '-n', '10', 'web').globals, { namespace: 'k8s.io' });
  assert.deepEqual(split('inspect', '-f', '{{.Id}}', 'x').commandArgv, ['-f', '{{.Id}}', 'x']);
});

test('run -h HOST and run -c 512 are the command’s flags, not help or a global', () => {
  const result = split('run', '-h', 'myhost', '-c', '512', 'img');
  assert.equal(result.help, false);
  assert.deepEqual(result.commandArgv, ['-h', 'myhost', '-c', '512', '--', 'img']);
});

test('everything after the image belongs to the container', () => {
  const result = split('run', 'img', 'sh', '-c', 'ls --help');
  assert.deepEqual(result.commandArgv, ['--', 'img', 'sh', '-c', 'ls --help']);
  assert.equal(result.help, false);
  assert.deepEqual(split('run', 'img', 'ls', '--help').commandArgv, ['--', 'img', 'ls', '--help']);
  assert.equal(split('run', 'img', 'ls', '--help').help, false);
  assert.deepEqual(split('run', 'img', '--namespace', 'x').globals, {});
  assert.deepEqual(split('exec', '-it', 'web', 'sh', '-c', 'echo -n hi').commandArgv, ['-it', '--', 'web', 'sh', '-c', 'echo -n hi']);
});

test('repeatable value flags never swallow the image', () => {
  assert.deepEqual(split('run', '-p', '80:80', '-p', '443:443', 'img').commandArgv, ['-p', '80:80', '-p', '443:443', '--', 'img']);
  assert.deepEqual(split('run', '-e', 'A=1', '--name', 'web', 'img', 'true').commandArgv, ['-e', 'A=1', '--name', 'web', '--', 'img', 'true']);
});

test('short-flag bundles, with a value-taking flag last in the bundle', () => {
  assert.deepEqual(split('run', '-it', 'img').commandArgv, ['-it', '--', 'img']);
  assert.deepEqual(split('run', '-itd', 'img').commandArgv, ['-itd', '--', 'img']);
  assert.deepEqual(split('run', '-itp', '80:80', 'img').commandArgv, ['-itp', '80:80', '--', 'img']);
  assert.deepEqual(split('run', '-p80:80', 'img').commandArgv, ['-p80:80', '--', 'img']);
});

test('--flag=value and --flag value for command flags', () => {
  assert.deepEqual(split('run', '--name=web', 'img').commandArgv, ['--name=web', '--', 'img']);
  assert.deepEqual(split('run', '--name', 'web', '--rm', 'img').commandArgv, ['--name', 'web', '--rm', '--', 'img']);
});

test('-- is honoured', () => {
  assert.deepEqual(split('run', '--rm', '--', 'img', '--rm').commandArgv, ['--rm', '--', 'img', '--rm']);
  assert.deepEqual(split('images', '--', '--namespace').commandArgv, ['--', '--namespace']);
  assert.deepEqual(split('images', '--', '--namespace').globals, {});
});

test('--help before the image (or anywhere for other commands) asks for help', () => {
  assert.equal(split('run', '--help').help, true);
  assert.equal(split('run', '--rm', '--help', 'img').help, true);
  assert.equal(split('ps', '--help').help, true);
  assert.equal(split('ps', '-h').help, true);
  assert.equal(split('logs', 'web', '--help').help, true);
  assert.equal(split('--help').help, true);
  assert.equal(split().help, true);
});

test('multi-word commands, aliases and the ns topic alias', () => {
  assert.equal(split('namespace', 'ls').commandId, 'namespace:ls');
  assert.equal(split('ns', 'ls').commandId, 'namespace:ls');
  assert.equal(split('ns', 'rm', 'foo').commandId, 'namespace:remove');
  assert.deepEqual(split('ns', 'rm', 'foo').commandArgv, ['foo']);
  assert.equal(split('container', 'run', 'img').commandId, 'run');
  assert.equal(split('image', 'ls', '-q').commandId, 'images');
});

test('usage errors: unknown global flag 125, missing value 125, unknown command 1', () => {
  assert.throws(() => split('--bogus', 'images'), (error) => isBerthError(error, 'usage') && /unknown flag: --bogus/.test(error.message) && exitCodeOf(error) === 125);
  assert.throws(() => split('-x', 'images'), (error) => isBerthError(error) && /unknown shorthand flag: 'x' in -x/.test(error.message));
  // short global forms are only taken before the command; after it oclif names them as unknown
  assert.deepEqual(split('images', '-n', 'x').commandArgv, ['-n', 'x']);
  assert.throws(() => split('--namespace'), (error) => isBerthError(error) && /flag needs an argument: --namespace/.test(error.message));
  assert.throws(() => split('frobnicate'), (error) => isBerthError(error) && /unknown command: berth frobnicate/.test(error.message) && exitCodeOf(error) === 1);
});

test('a topic without a command asks for the topic’s help', () => {
  const result = split('namespace');
  assert.equal(result.help, true);
  assert.equal(result.topic, 'namespace');
  assert.equal(split('ns').topic, 'namespace');
});

test('berth help [COMMAND] shows that command’s help', () => {
  assert.equal(split('help').help, true);
  assert.equal(split('help').commandId, undefined);
  const asked = split('help', 'namespace', 'ls');
  assert.equal(asked.help, true);
  assert.equal(asked.commandId, 'namespace:ls');
});

test('boolean flags with =true/=false, as Docker accepts them', () => {
  const commands: CommandSpec[] = [
    {
      id: 'pull',
      aliases: [],
      flags: [
        { name: 'quiet', aliases: [], char: 'q', takesValue: false },
        { name: 'disable-content-trust', aliases: [], takesValue: false, defaultsToTrue: true },
        { name: 'human', aliases: [], takesValue: false, defaultsToTrue: true, negatable: true },
      ],
      splitAtFirstPositional: false,
    },
  ];
  assert.deepEqual(splitArgv(['pull', '--quiet=true', 'x'], commands).commandArgv, ['--quiet', 'x']);
  assert.deepEqual(splitArgv(['pull', '--quiet=false', 'x'], commands).commandArgv, ['x']);
  assert.deepEqual(splitArgv(['pull', '--human=false', 'x'], commands).commandArgv, ['--no-human', 'x']);
  assert.deepEqual(splitArgv(['pull', '--disable-content-trust=true', 'x'], commands).commandArgv, ['--disable-content-trust', 'x']);
  assert.throws(() => splitArgv(['pull', '--disable-content-trust=false', 'x'], commands), (error) => isBerthError(error, 'usage') && /--disable-content-trust=false is not supported/.test(error.message));
  assert.throws(() => splitArgv(['pull', '--quiet=maybe', 'x'], commands), (error) => isBerthError(error, 'usage'));
  // pflag's shorthand forms: `-q=false`, `-q=true`
  assert.deepEqual(splitArgv(['pull', '-q=false', 'x'], commands).commandArgv, ['x']);
  assert.deepEqual(splitArgv(['pull', '-q=true', 'x'], commands).commandArgv, ['--quiet', 'x']);
});
