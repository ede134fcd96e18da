// The run/create flag table against Docker 28's `docker run --help`: every flag declared with
// Docker's short form and value shape, repeatable where Docker repeats, and the argv pre-pass
// reading the table the same way (`-e A IMAGE` keeps IMAGE, `IMAGE sh -c --help` stays whole).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from '@oclif/core';
import { splitArgv } from '../../src/cli/argv.js';
import { commandSpecs } from '../../src/cli/command-specs.js';
import { containerArgv, CREATE_FLAGS, RUN_FLAGS } from '../../src/cli/container-flags.js';
import { isBerthError } from '../../src/errors.js';
import { toRunRequest } from '../../src/runtime/create-options.js';
import { Command } from '@oclif/core/command';

/** `docker run --help` of Docker 28.2: long name, short form, value type ('' for a boolean). */
const DOCKER_RUN_FLAGS: readonly [string, string, string][] = [
  ['add-host', '', 'list'], ['annotation', '', 'map'], ['attach', 'a', 'list'], ['blkio-weight', '', 'uint16'],
  ['blkio-weight-device', '', 'list'], ['cap-add', '', 'list'], ['cap-drop', '', 'list'], ['cgroup-parent', '', 'string'],
  ['cgroupns', '', 'string'], ['cidfile', '', 'string'], ['cpu-count', '', 'int'], ['cpu-percent', '', 'int'],
  ['cpu-period', '', 'int'], ['cpu-quota', '', 'int'], ['cpu-rt-period', '', 'int'], ['cpu-rt-runtime', '', 'int'],
  ['cpu-shares', 'c', 'int'], ['cpus', '', 'decimal'], ['cpuset-cpus', '', 'string'], ['cpuset-mems', '', 'string'],
  ['detach', 'd', ''], ['detach-keys', '', 'string'], ['device', '', 'list'], ['device-cgroup-rule', '', 'list'],
  ['device-read-bps', '', 'list'], ['device-read-iops', '', 'list'], ['device-write-bps', '', 'list'], ['device-write-iops', '', 'list'],
  ['disable-content-trust', '', ''], ['dns', '', 'list'], ['dns-option', '', 'list'], ['dns-search', '', 'list'],
  ['domainname', '', 'string'], ['entrypoint', '', 'string'], ['env', 'e', 'list'], ['env-file', '', 'list'],
  ['expose', '', 'list'], ['gpus', '', 'gpu-request'], ['group-add', '', 'list'], ['health-cmd', '', 'string'],
  ['health-interval', '', 'duration'], ['health-retries', '', 'int'], ['health-start-interval', '', 'duration'], ['health-start-period', '', 'duration'],
  ['health-timeout', '', 'duration'], ['hostname', 'h', 'string'], ['init', '', ''], ['interactive', 'i', ''],
  ['io-maxbandwidth', '', 'bytes'], ['io-maxiops', '', 'uint'], ['ip', '', 'string'], ['ip6', '', 'string'],
  ['ipc', '', 'string'], ['isolation', '', 'string'], ['kernel-memory', '', 'bytes'], ['label', 'l', 'list'],
  ['label-file', '', 'list'], ['link', '', 'list'], ['link-local-ip', '', 'list'], ['log-driver', '', 'string'],
  ['log-opt', '', 'list'], ['mac-address', '', 'string'], ['memory', 'm', 'bytes'], ['memory-reservation', '', 'bytes'],
  ['memory-swap', '', 'bytes'], ['memory-swappiness', '', 'int'], ['mount', '', 'mount'], ['name', '', 'string'],
  ['network', '', 'network'], ['network-alias', '', 'list'], ['no-healthcheck', '', ''], ['oom-kill-disable', '', ''],
  ['oom-score-adj', '', 'int'], ['pid', '', 'string'], ['pids-limit', '', 'int'], ['platform', '', 'string'],
  ['privileged', '', ''], ['publish', 'p', 'list'], ['publish-all', 'P', ''], ['pull', '', 'string'],
  ['quiet', 'q', ''], ['read-only', '', ''], ['restart', '', 'string'], ['rm', '', ''],
  ['runtime', '', 'string'], ['security-opt', '', 'list'], ['shm-size', '', 'bytes'], ['sig-proxy', '', ''],
  ['stop-signal', '', 'string'], ['stop-timeout', '', 'int'], ['storage-opt', '', 'list'], ['sysctl', '', 'map'],
  ['tmpfs', '', 'list'], ['tty', 't', ''], ['ulimit', '', 'ulimit'], ['use-api-socket', '', ''],
  ['user', 'u', 'string'], ['userns', '', 'string'], ['uts', '', 'string'], ['volume', 'v', 'list'],
  ['volume-driver', '', 'string'], ['volumes-from', '', 'list'], ['workdir', 'w', 'string'],
];

/** Flags that `docker create --help` does not show. */
const RUN_ONLY = ['detach', 'detach-keys', 'sig-proxy'];
const REPEATABLE_TYPES = new Set(['list', 'map', 'ulimit', 'mount']);

type FlagShape = { type: string; char?: string; multiple?: boolean; aliases?: string[]; description?: string };
const table = RUN_FLAGS as unknown as Record<string, FlagShape>;

describe('the run/create flag table', () => {
  it('declares exactly the flags of docker run --help', () => {
    assert.deepEqual(Object.keys(RUN_FLAGS).sort(), DOCKER_RUN_FLAGS.map(([name]) => name).sort());
  });

  it('create has the same flags but the run-only ones', () => {
    assert.deepEqual(Object.keys(CREATE_FLAGS).sort(), Object.keys(RUN_FLAGS).filter((name) => !RUN_ONLY.includes(name)).sort());
  });

  for (const [name, char, type] of DOCKER_RUN_FLAGS) {
    it(`--${name}${char ? ` (-${char})` : ''} ${type || 'boolean'}`, () => {
      const flag = table[name];
      assert.equal(flag.char, char || undefined);
      assert.equal(flag.type, type === '' ? 'boolean' : 'option');
      // --network is one network until berth has networks to join several of
      if (type !== '' && name !== 'network') assert.equal(flag.multiple === true, REPEATABLE_TYPES.has(type), 'repeatable as in Docker');
    });
  }

  it('keeps Docker\'s hidden aliases --net and --net-alias', () => {
    assert.deepEqual(table.network.aliases, ['net']);
    assert.deepEqual(table['network-alias'].aliases, ['net-alias']);
  });

  it('every unsupported flag is refused by name, with exit 125', () => {
    const unsupported = Object.entries(table).filter(([, flag]) => flag.description?.endsWith('(not supported yet)'));
    assert.ok(unsupported.length > 15);
    for (const [name, flag] of unsupported) {
      const value = flag.type === 'boolean' ? true : flag.multiple ? ['x'] : 'x';
      assert.throws(() => toRunRequest({ [name]: value }, 'img', []), (error) => isBerthError(error, 'usage') && error.message === `--${name} is not supported yet`, name);
    }
  });
});

describe('argv and oclif read the table', () => {
  class Run extends Command {
    static flags = RUN_FLAGS;
    static strict = false;
    static splitAtFirstPositional = true;
    async run(): Promise<void> {}
  }
  const specs = commandSpecs({ 'container:run': Run as never });

  async function parse(argv: string[]) {
    const split = splitArgv(['container:run'.replace(':', ' ').split(' '), argv].flat(), specs);
    const parsed = await Parser.parse([...split.commandArgv], { flags: RUN_FLAGS, strict: false, args: {} } as never);
    return { flags: parsed.flags as Record<string, unknown>, argv: containerArgv(parsed), oclifArgv: parsed.argv as string[] };
  }

  it('repeatable flags are not greedy and the command after the image is untouched', async () => {
    const { flags, argv } = await parse(['-e', 'A=1', '-e', 'B=2', '-v', '/a:/b', '-h', 'box', 'img', 'echo', '-c', '--help', '-e', 'x']);
    assert.deepEqual(flags.env, ['A=1', 'B=2']);
    assert.equal(flags.hostname, 'box');
    assert.deepEqual(argv, ['img', 'echo', '-c', '--help', '-e', 'x']);
  });

  it('keeps the command\'s words in order where oclif\'s argv would not', async () => {
    const { argv, oclifArgv } = await parse(['--name', 'web', 'img', 'echo', 'web']);
    assert.deepEqual(argv, ['img', 'echo', 'web']);
    assert.notDeepEqual(oclifArgv, argv, 'oclif sorts argv by first occurrence; if this fails, oclif fixed it');
  });

  it('bundled short flags and --flag=false booleans', async () => {
    const { flags } = await parse(['-itd', '--rm=false', '--sig-proxy=false', '--init=true', '-m', '64m', 'img']);
    assert.deepEqual([flags.interactive, flags.tty, flags.detach, flags.rm, flags['sig-proxy'], flags.init, flags.memory], [true, true, true, undefined, false, true, '64m']);
  });

  it('--net is --network; --disable-content-trust=false is refused', async () => {
    assert.equal((await parse(['--net', 'host', 'img'])).flags.network, 'host');
    await assert.rejects(parse(['--disable-content-trust=false', 'img']), (error) => isBerthError(error, 'usage'));
  });

  it('an unsupported flag still takes its value, so the image is found', async () => {
    const { flags, argv } = await parse(['-p', '8080:80', 'img', 'sh']);
    assert.deepEqual(flags.publish, ['8080:80']);
    assert.deepEqual(argv, ['img', 'sh']);
  });
});
