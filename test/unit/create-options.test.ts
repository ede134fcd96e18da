// run/create flags → the create intent and run options, by Docker's grammar and messages.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import {
  detachKeyCodes,
  parseEnvironment,
  parseHumanSize,
  parseKeyValueFile,
  parseLabels,
  parseLogConfig,
  parseMemoryBytes,
  parseMountFlag,
  parseNanoCpus,
  parseRestartPolicy,
  parseSecurityOpts,
  parseTmpfs,
  parseUlimit,
  parseVolumeFlag,
  toCreateIntent,
  toRunRequest,
  type ContainerFlags,
} from '../../src/runtime/create-options.js';

const usage = (message: string | RegExp) => (error: unknown) => {
  assert.ok(isBerthError(error, 'usage'), `expected a usage error, got ${String(error)}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
};

const tmp = mkdtempSync(join(tmpdir(), 'berth-create-options-'));
function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

const context = { environment: { HOME: '/root', FROM_HOST: 'host value', EMPTY: '' }, cwd: '/work/project' };
const request = (flags: ContainerFlags, args: string[] = []) => toRunRequest(flags, 'busybox', args, context);

describe('memory sizes (RAMInBytes)', () => {
  const cases: [string, number][] = [
    ['0', 0], ['1024', 1024], ['512k', 512 * 1024], ['512K', 512 * 1024], ['64m', 64 * 1024 ** 2], ['64mb', 64 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5g', 1.5 * 1024 ** 3], ['2 GB', 2 * 1024 ** 3], ['10b', 10], ['1t', 1024 ** 4],
  ];
  for (const [input, bytes] of cases) it(`${input} → ${bytes}`, () => assert.equal(parseMemoryBytes(input), bytes));
  const bad: [string, string][] = [
    ['', "invalid size: ''"], ['m', "invalid size: 'm'"], ['1x', "invalid suffix: 'x'"], ['1kk', "invalid suffix: 'kk'"],
    ['1bb', "invalid suffix: 'bb'"], ['1kib2', 'strconv.ParseFloat: parsing "1kib2": invalid syntax'], ['-1', "invalid size: '-1'"],
  ];
  for (const [input, message] of bad) it(`refuses ${JSON.stringify(input)}`, () => assert.throws(() => parseMemoryBytes(input), usage(message)));
  it('json-file sizes are decimal', () => assert.equal(parseHumanSize('10m'), 10_000_000));
});

describe('--cpus', () => {
  const cases: [string, number][] = [['0.5', 500_000_000], ['1', 1e9], ['1.25', 1_250_000_000], ['3/2', 1_500_000_000], ['2e-1', 200_000_000], ['.5', 500_000_000], ['0.000000001', 1]];
  for (const [input, nano] of cases) it(`${input} → ${nano}`, () => assert.equal(parseNanoCpus(input), nano));
  it('refuses what is not a number', () => assert.throws(() => parseNanoCpus('half'), usage('failed to parse half as a rational number')));
  it('refuses more precision than a nano-CPU', () => assert.throws(() => parseNanoCpus('0.0000000001'), usage('value is too precise')));
  it('refuses more CPUs than the host has, as the daemon does', () =>
    assert.throws(() => request({ cpus: '100000' }), usage(/^range of CPUs is from 0.01 to \d+\.00, as there are only \d+ CPUs available$/)));
  it('names the flag the way pflag does', () => assert.throws(() => request({ cpus: 'x' }), usage('invalid argument "x" for "--cpus" flag: failed to parse x as a rational number')));
});

describe('--ulimit', () => {
  it('reads soft and hard', () => assert.deepEqual(parseUlimit('nofile=512:1024'), { Name: 'nofile', Soft: 512, Hard: 1024 }));
  it('takes hard from soft', () => assert.deepEqual(parseUlimit('nproc=64'), { Name: 'nproc', Soft: 64, Hard: 64 }));
  it('takes -1 as unlimited', () => assert.deepEqual(parseUlimit('core=-1'), { Name: 'core', Soft: -1, Hard: -1 }));
  const bad: [string, string][] = [
    ['nofile', 'invalid ulimit argument: nofile'],
    ['files=1', 'invalid ulimit type: files'],
    ['nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`'],
    ['nofile=a', 'strconv.ParseInt: parsing "a": invalid syntax'],
    ['nofile=20:10', 'ulimit soft limit must be less than or equal to hard limit: 20 > 10'],
    ['nofile=-1:10', 'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 10'],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseUlimit(input), usage(message)));
  it('keeps the last of one name', () => {
    const { intent } = request({ ulimit: ['nofile=1:2', 'nproc=3', 'nofile=4:5'] });
    assert.deepEqual(intent.HostConfig.Ulimits, [{ Name: 'nproc', Soft: 3, Hard: 3 }, { Name: 'nofile', Soft: 4, Hard: 5 }]);
  });
});

describe('--restart', () => {
  const cases: [string, object][] = [
    ['no', { Name: 'no' }], ['always', { Name: 'always' }], ['unless-stopped', { Name: 'unless-stopped' }],
    ['on-failure', { Name: 'on-failure', MaximumRetryCount: 0 }], ['on-failure:3', { Name: 'on-failure', MaximumRetryCount: 3 }],
  ];
  for (const [input, policy] of cases) it(input, () => assert.deepEqual(parseRestartPolicy(input), policy));
  const bad: [string, string][] = [
    [':3', 'invalid restart policy format: no policy provided before colon'],
    ['on-failure:x', 'invalid restart policy format: maximum retry count must be an integer'],
    ['always:2', "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    ['on-failure:-1', 'invalid restart policy: maximum retry count cannot be negative'],
    ['sometimes', "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseRestartPolicy(input), usage(message)));
  it('conflicts with --rm', () => assert.throws(() => request({ rm: true, restart: 'always' }), usage('conflicting options: cannot specify both --restart and --rm')));
  it('is fine with --rm when it is no', () => assert.equal(request({ rm: true, restart: 'no' }).intent.HostConfig.AutoRemove, true));
});

describe('environment', () => {
  it('-e KEY takes the value from here, or stays bare when unset', () => {
    assert.deepEqual(parseEnvironment(['A=1', 'FROM_HOST', 'MISSING', 'EMPTY', 'B=x=y'], [], context.environment), ['A=1', 'FROM_HOST=host value', 'MISSING', 'EMPTY=', 'B=x=y']);
  });
  it('refuses an empty name', () => assert.throws(() => parseEnvironment(['=x'], [], {}), usage('invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x')));
  it('puts env files first, then -e', () => {
    const envFile = file('env', '\uFEFF# comment\n  A=1 \nFROM_HOST\nMISSING\n\nB= spaced value\r\nC=\n');
    assert.deepEqual(parseEnvironment(['Z=9'], [envFile], context.environment), ['A=1 ', 'FROM_HOST=host value', 'B= spaced value', 'C=', 'Z=9']);
  });
  const bad: [string, string | Buffer, RegExp][] = [
    ['spaces', 'MY VAR=1\n', /^--env-file: invalid env file \(.*spaces\): variable 'MY VAR' contains whitespaces$/],
    ['noname', '=1\n', /^--env-file: invalid env file \(.*noname\): no variable name on line '=1'$/],
    ['binary', Buffer.from([0x41, 0x3d, 0xff, 0x0a]), /^--env-file: invalid env file \(.*binary\): invalid utf8 bytes at line 1: \[65 61 255\]$/],
  ];
  for (const [name, content, message] of bad) it(`refuses a file with ${name}`, () => assert.throws(() => parseEnvironment([], [file(name, content)], {}), usage(message)));
  it('names a missing file', () => assert.throws(() => parseEnvironment([], [join(tmp, 'nope')], {}), usage(`--env-file: open ${join(tmp, 'nope')}: no such file or directory`)));
  it('parses key=value files without a lookup by dropping bare keys', () => assert.deepEqual(parseKeyValueFile(Buffer.from('A=1\nB\n')), ['A=1']));
});

describe('labels', () => {
  it('label files first, -l later wins; KEY alone is an empty value', () => {
    const labelFile = file('labels', 'a=1\nb=2\nbare\n');
    assert.deepEqual(parseLabels(['b=3', 'c'], [labelFile]), { a: '1', b: '3', c: '' });
  });
  it('refuses a label without a name', () => assert.throws(() => parseLabels(['=x'], []), usage(`invalid argument "=x" for "-l, --label" flag: invalid label '=x': empty name`)));
  it('refuses whitespace in a name', () => assert.throws(() => parseLabels(['a b=1'], []), usage(/label 'a b' contains whitespaces/)));
  it('wraps label file errors', () => assert.throws(() => parseLabels([], [join(tmp, 'none')]), usage(/^--label-file: open /)));
});

describe('-v', () => {
  const cases: [string, string][] = [
    ['/src:/dst', '/src:/dst'], ['/src:/dst:ro', '/src:/dst:ro'], ['/src:/dst:ro,rshared', '/src:/dst:ro,rshared'],
    ['./data:/data', '/work/project/data:/data'], ['.:/app:rw', '/work/project:/app:rw'], ['../x:/x', '/work/x:/x'],
  ];
  for (const [input, bind] of cases) it(`${input} → ${bind}`, () => assert.deepEqual(parseVolumeFlag(input, '/work/project'), { bind }));
  const bad: [string, string | RegExp][] = [
    ['x/y:/data', /includes invalid characters for a local volume name.*use absolute path$/],
    ['/a:/b:bogus', 'invalid mode: bogus'],
    ['/a:relative', "invalid mount path: 'relative' mount path must be absolute"],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseVolumeFlag(input, '/w'), usage(message)));
});

describe('--mount', () => {
  it('reads a bind with Docker\'s key spellings', () => {
    assert.deepEqual(parseMountFlag('type=bind,src=/a,dst=/b,readonly,bind-propagation=rshared'), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared' } });
    assert.deepEqual(parseMountFlag('type=bind,source=/a,destination=/b,ro=false'), { Type: 'bind', Source: '/a', Target: '/b' });
    assert.deepEqual(parseMountFlag('type=bind,source=./x,target=/b', '/here'), { Type: 'bind', Source: '/here/x', Target: '/b' });
    assert.deepEqual(parseMountFlag('"type=bind","source=/a,b",target=/c'), { Type: 'bind', Source: '/a,b', Target: '/c' });
  });
  const bad: [string, string | RegExp][] = [
    ['type=bind,source=/a', 'target is required'],
    ['type=bind,target=/b', 'invalid mount config for type "bind": field Source must not be empty'],
    ['type=image,source=alpine,target=/b', "mount type 'image' is not supported yet"],
    ['type=bind,source=/a,target=/b,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'bind'"],
    ['type=bind,source=/a,target=/b,ro=maybe', 'invalid value for ro: maybe'],
    ['type=bind,source=/a,target=/b,colour=red', "unexpected key 'colour' in 'colour=red'"],
    ['type=bind,source=/a,target=/b,rw', "invalid field 'rw' must be a key=value pair"],
    ['type=bind,source=/a,target=/b,bind-propagation=sideways', 'invalid mount config for type "bind": invalid propagation mode: sideways'],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseMountFlag(input), usage(message)));
  it('names the flag in the message', () => assert.throws(() => request({ mount: ['type=bind,source=/a'] }), usage('invalid argument "type=bind,source=/a" for "--mount" flag: target is required')));
  it('refuses two mounts on one path', () => {
    assert.throws(() => request({ volume: ['/a:/x'], mount: ['type=bind,src=/b,dst=/x'] }), usage('Duplicate mount point: /x'));
    assert.throws(() => request({ volume: ['/a:/x'], tmpfs: ['/x'] }), usage('Duplicate mount point: /x'));
  });
});

describe('--tmpfs', () => {
  it('maps paths to options', () => assert.deepEqual(parseTmpfs(['/run', '/tmp:size=64m,exec']), { '/run': '', '/tmp': 'size=64m,exec' }));
  it('needs an absolute path', () => assert.throws(() => parseTmpfs(['run']), usage(/mount path must be absolute/)));
});

describe('--log-driver and --log-opt', () => {
  it('defaults to json-file', () => assert.deepEqual(parseLogConfig(undefined, []), { Type: 'json-file', Config: {} }));
  it('takes max-size and max-file', () => assert.deepEqual(parseLogConfig('json-file', ['max-size=10m', 'max-file=3']), { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } }));
  const bad: [string | undefined, string[], string][] = [
    ['none', ['max-size=1m'], 'invalid logging opts for driver none'],
    ['syslog', [], 'logging driver "syslog" is not supported yet (json-file and none are)'],
    ['nonsense', [], "logger: no log driver named 'nonsense' is registered"],
    [undefined, ['max-file=0'], 'max-file cannot be less than 1'],
    [undefined, ['max-size=0'], 'max-size must be a positive number'],
    [undefined, ['compress=true'], "log opt 'compress' is not supported yet"],
    [undefined, ['colour=red'], "unknown log opt 'colour' for json-file log driver"],
  ];
  for (const [driver, options, message] of bad) it(`refuses ${driver ?? 'json-file'} ${options.join(' ')}`, () => assert.throws(() => parseLogConfig(driver, options), usage(message)));
});

describe('--security-opt', () => {
  it('sends a seccomp file as its compact JSON', () => {
    const profile = file('seccomp.json', '{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n');
    assert.deepEqual(parseSecurityOpts([`seccomp=${profile}`]).securityOpt, ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']);
  });
  it('keeps unconfined and no-new-privileges, drops builtin', () => {
    assert.deepEqual(parseSecurityOpts(['seccomp:unconfined', 'no-new-privileges', 'no-new-privileges:false', 'seccomp=builtin']).securityOpt, ['seccomp=unconfined', 'no-new-privileges', 'no-new-privileges=false']);
  });
  it('systempaths=unconfined empties the masked and read-only paths', () => {
    const { intent } = request({ 'security-opt': ['systempaths=unconfined'] });
    assert.deepEqual([intent.HostConfig.MaskedPaths, intent.HostConfig.ReadonlyPaths], [[], []]);
  });
  const bad: [string, string | RegExp][] = [
    ['seccomp', 'invalid --security-opt: "seccomp"'],
    ['seccomp=', 'invalid --security-opt: "seccomp="'],
    [`seccomp=${join(tmp, 'missing.json')}`, /^opening seccomp profile \(.*missing.json\) failed: open .*: no such file or directory$/],
    ['no-new-privileges=maybe', 'invalid --security-opt 2: "no-new-privileges=maybe"'],
    ['apparmor=unconfined', '--security-opt apparmor is not supported yet'],
    ['label=disable', '--security-opt label is not supported yet'],
    ['colour=red', 'invalid --security-opt 2: "colour=red"'],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseSecurityOpts([input]), usage(message)));
  it('refuses a profile that is not JSON', () => assert.throws(() => parseSecurityOpts([`seccomp=${file('bad.json', '{')}`]), usage(/^compacting json for seccomp profile/)));
});

describe('--detach-keys', () => {
  it('reads Docker\'s key names', () => {
    assert.deepEqual(detachKeyCodes('ctrl-p,ctrl-q'), [16, 17]);
    assert.deepEqual(detachKeyCodes('a,ctrl-@,ctrl-[,ctrl-_,DEL'), [97, 0, 27, 31, 127]);
  });
  for (const keys of ['ctrl-', 'ctrl-A', 'alt-x', 'ab']) it(`refuses ${keys}`, () => assert.throws(() => detachKeyCodes(keys), usage(`Invalid detach keys (${keys}) provided`)));
});

describe('toRunRequest', () => {
  it('turns an everyday command line into the ContainerCreate body', () => {
    const { intent, options } = request(
      {
        detach: true, name: 'web', env: ['A=1'], workdir: '/srv', user: 'app:staff', 'group-add': ['audio'], hostname: 'h1', domainname: 'example.org',
        label: ['tier=front'], annotation: ['org.example/a=b'], volume: ['/data:/data:ro'], tmpfs: ['/run'], 'read-only': true, 'cap-add': ['NET_ADMIN'],
        'cap-drop': ['MKNOD'], memory: '64m', cpus: '0.5', 'pids-limit': '100', 'stop-signal': 'SIGINT', 'stop-timeout': '5', restart: 'on-failure:2',
        init: true, runtime: 'runc', 'log-opt': ['max-size=1m'], network: 'host', 'disable-content-trust': true, 'sig-proxy': true,
      },
      ['nginx', '-g', 'daemon off;'],
    );
    assert.deepEqual(intent, {
      Image: 'busybox',
      Hostname: 'h1',
      Domainname: 'example.org',
      User: 'app:staff',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['A=1'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      WorkingDir: '/srv',
      Labels: { tier: 'front' },
      StopSignal: 'SIGINT',
      StopTimeout: 5,
      HostConfig: {
        Binds: ['/data:/data:ro'],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
        NetworkMode: 'host',
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
        AutoRemove: false,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['MKNOD'],
        GroupAdd: ['audio'],
        Privileged: false,
        ReadonlyRootfs: true,
        SecurityOpt: [],
        Tmpfs: { '/run': '' },
        Runtime: 'runc',
        Init: true,
        Memory: 64 * 1024 * 1024,
        NanoCpus: 500_000_000,
        PidsLimit: 100,
        Ulimits: [],
        Mounts: [],
        Annotations: { 'org.example/a': 'b' },
      },
    });
    assert.deepEqual(options, {
      name: 'web', detach: true, pull: 'missing', quiet: false, platform: undefined, cidfile: undefined,
      detachKeys: 'ctrl-p,ctrl-q', sigProxy: true, attach: [], warnings: [],
    });
  });

  it('attaches stdout and stderr by default, stdin with -i, and only what -a names', () => {
    assert.deepEqual(request({}).options.attach, ['stdout', 'stderr']);
    const interactive = request({ interactive: true, tty: true });
    assert.deepEqual(interactive.options.attach, ['stdin', 'stdout', 'stderr']);
    assert.equal(interactive.intent.StdinOnce, true);
    assert.deepEqual(request({ attach: ['STDERR'] }).options.attach, ['stderr']);
    assert.deepEqual(request({ attach: ['stdout'], interactive: true }).options.attach, ['stdin', 'stdout']);
  });

  it('refuses -a with -d (exit 1, as Docker) and a stream that does not exist', () => {
    assert.throws(() => request({ attach: ['stdout'], detach: true }), (error) => isBerthError(error, 'invalid-argument') && /cannot specify both --attach and --detach/.test(error.message));
    assert.throws(() => request({ attach: ['stdall'] }), usage('invalid argument "stdall" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR'));
  });

  it('--entrypoint "" clears the entrypoint; no args leave Cmd unset', () => {
    assert.deepEqual(request({ entrypoint: '' }).intent.Entrypoint, ['']);
    assert.deepEqual(request({ entrypoint: '/bin/sh' }, ['-c', 'true']).intent.Entrypoint, ['/bin/sh']);
    assert.equal(request({}).intent.Cmd, undefined);
  });

  it('defaults: network bridge, json-file, restart no, missing pull, signal proxy on', () => {
    const { intent, options } = request({});
    assert.equal(intent.HostConfig.NetworkMode, 'bridge');
    assert.deepEqual(intent.HostConfig.RestartPolicy, { Name: 'no' });
    assert.equal(intent.HostConfig.LogConfig?.Type, 'json-file');
    assert.equal(options.pull, 'missing');
    assert.equal(options.sigProxy, true);
    assert.equal(options.detachKeys, 'ctrl-p,ctrl-q');
  });

  it('reads the run-only settings', () => {
    const { options } = request({ pull: 'never', quiet: true, platform: 'linux/arm64', cidfile: '/tmp/cid', 'detach-keys': 'ctrl-x', 'sig-proxy': false, name: '/slashed' });
    assert.deepEqual(options.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(options.name, 'slashed');
    assert.equal(options.pull, 'never');
    assert.equal(options.sigProxy, false);
    assert.equal(options.detachKeys, 'ctrl-x');
  });

  it('takes DOCKER_DEFAULT_PLATFORM when --platform is not given', () => {
    const { options } = toRunRequest({}, 'busybox', [], { environment: { DOCKER_DEFAULT_PLATFORM: 'linux/amd64' } });
    assert.equal(options.platform?.architecture, 'amd64');
  });

  const bad: [string, ContainerFlags, string | RegExp][] = [
    ['a bad name', { name: 'a' }, 'Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['a bad pull policy', { pull: 'sometimes' }, `invalid pull option: 'sometimes': must be one of "always", "missing" or "never"`],
    ['a bad stop signal', { 'stop-signal': 'SIGNOPE' }, 'Invalid signal: SIGNOPE'],
    ['a bad stop timeout', { 'stop-timeout': 'soon' }, 'invalid argument "soon" for "--stop-timeout" flag: strconv.ParseInt: parsing "soon": invalid syntax'],
    ['a bad pids limit', { 'pids-limit': '1.5' }, 'invalid argument "1.5" for "--pids-limit" flag: strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['a bad memory size', { memory: 'lots' }, `invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'`],
    ['too little memory', { memory: '1m' }, 'Minimum memory limit allowed is 6MB'],
    ['an unknown runtime', { runtime: 'kata' }, 'unknown or invalid runtime name: kata'],
    ['a container network without a container', { network: 'container:' }, 'invalid container format container:<name|id>'],
    ['ports on another container\'s network', { network: 'container:web', publish: ['80:80'] }, 'conflicting options: port publishing and the container type network mode'],
    ['a hostname on another container\'s network', { network: 'container:web', hostname: 'h' }, 'conflicting options: hostname and the network mode'],
    ['--dns on another container\'s network', { network: 'container:web', dns: ['1.1.1.1'] }, 'conflicting options: dns and the network mode'],
    ['--add-host on another container\'s network', { network: 'container:web', 'add-host': ['a:1.2.3.4'] }, 'conflicting options: custom host-to-IP mapping and the network mode'],
    ['a udp port on an IPv6 address', { network: 'bridge', publish: ['[::1]:8080:80/udp'] }, /^publishing 80\/udp on an IPv6 address \(\[::1\]:8080\) is not supported/],
    ['ports without a network', { network: 'none', publish: ['80:80'] }, /^published ports need a network/],
    ['a bad port', { network: 'bridge', publish: ['80:http'] }, 'invalid containerPort: http'],
    ['an alias without a network', { network: 'none', 'network-alias': ['web'] }, 'network-scoped alias is supported only for containers in user defined networks'],
    ['a bad --dns', { dns: ['1.2.3'] }, 'invalid argument "1.2.3" for "--dns" flag: 1.2.3 is not an ip address'],
    ['bad detach keys', { 'detach-keys': 'ctrl-' }, 'Invalid detach keys (ctrl-) provided'],
    ['a bad platform', { platform: 'linux/arm64/v8/x' }, /^invalid platform/],
    ['an unsupported flag', { ip6: '::1' }, '--ip6 is not supported yet'],
    ['an unsupported boolean', { 'use-api-socket': true }, '--use-api-socket is not supported yet'],
    ['an unsupported value flag', { 'kernel-memory': '1g' }, '--kernel-memory is not supported yet'],
  ];
  for (const [name, flags, message] of bad) it(`refuses ${name}`, () => assert.throws(() => request(flags), usage(message)));

  it('toCreateIntent is the intent alone', () => {
    assert.deepEqual(toCreateIntent({ env: ['A=1'] }, 'busybox', ['true'], context), request({ env: ['A=1'] }, ['true']).intent);
  });
});
