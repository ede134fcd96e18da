// Volumes without I/O: `-v`/`--mount`/`--volumes-from` parsing into the intent, the spec's
// volume binds, the mount points inspect shows, and which volumes ls/prune/rm select.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { parseMountFlag, parseVolumeFlag, parseVolumesFrom, toRunRequest } from '../../src/runtime/create-options.js';
import { parseCreateIntent } from '../../src/runtime/intent.js';
import { splitBind, tmpfsOptions, withBindMounts, withMounts, withVolumeMounts } from '../../src/runtime/spec/mounts.js';
import type { Spec } from '../../src/runtime/spec/types.js';
import { containerMountPoints, storedVolumeMounts, volumeMountsExtension, type MountPoint } from '../../src/runtime/volumes/container-volumes.js';
import { parseVolumeFilters, prunableVolumes, volumeInUse, volumeMatches } from '../../src/runtime/volumes/manage.js';
import { ANONYMOUS_LABEL, validateVolumeName, validateVolumeOptions, type Volume } from '../../src/runtime/volumes/store.js';

const usage = (message: string | RegExp) => (error: unknown) =>
  isBerthError(error, 'usage') && (typeof message === 'string' ? error.message === message : message.test(error.message));

const volume = (name: string, labels: Record<string, string> = {}, options: Record<string, string> = {}): Volume => ({
  CreatedAt: '2025-01-01T00:00:00Z',
  Driver: 'local',
  Labels: labels,
  Mountpoint: `/data/volumes/default/${name}/_data`,
  Name: name,
  Options: options,
  Scope: 'local',
});

describe('-v with volumes', () => {
  it('a name is a volume bind, kept in Binds', () => {
    assert.deepEqual(parseVolumeFlag('data:/data'), { bind: 'data:/data' });
    assert.deepEqual(parseVolumeFlag('my.vol_1:/data:ro,nocopy'), { bind: 'my.vol_1:/data:ro,nocopy' });
  });
  it('a lone path is an anonymous volume', () => assert.deepEqual(parseVolumeFlag('/data/'), { anonymous: '/data' }));
  it('refuses a relative lone path, bad names and modes', () => {
    assert.throws(() => parseVolumeFlag('data'), usage("invalid volume specification: 'data'"));
    assert.throws(() => parseVolumeFlag('a b:/x'), usage(/includes invalid characters for a local volume name/));
    assert.throws(() => parseVolumeFlag('data:/x:rshared'), usage(/propagation is for host paths only/));
    assert.throws(() => parseVolumeFlag('/h:/x:nocopy'), usage(/nocopy is for volumes only/));
  });
  it('splits a volume bind as Docker does', () => {
    assert.deepEqual(splitBind('data:/d:ro,nocopy'), { source: 'data', target: '/d', mode: 'ro,nocopy', readonly: true, propagation: undefined, volume: true, nocopy: true });
  });
  it('puts names in Binds, lone paths in Config.Volumes, --volumes-from in HostConfig', () => {
    const { intent } = toRunRequest({ volume: ['data:/data', '/anon', '/h:/h'], 'volumes-from': ['web:ro'] }, 'alpine', []);
    assert.deepEqual(intent.HostConfig.Binds, ['data:/data', '/h:/h']);
    assert.deepEqual(intent.Volumes, { '/anon': {} });
    assert.deepEqual(intent.HostConfig.VolumesFrom, ['web:ro']);
  });
  it('refuses a duplicate destination between -v volumes and --mount', () => {
    assert.throws(() => toRunRequest({ volume: ['data:/x'], mount: ['type=volume,dst=/x'] }, 'alpine', []), usage('Duplicate mount point: /x'));
  });
  it('checks --volumes-from modes', () => {
    assert.equal(parseVolumesFrom('web'), 'web');
    assert.equal(parseVolumesFrom('web:rw'), 'web:rw');
    assert.throws(() => parseVolumesFrom('web:rshared'), usage('invalid mode: rshared'));
    assert.throws(() => parseVolumesFrom(''), usage('volumes-from specification cannot be an empty string'));
  });
});

describe('--mount type=volume and type=tmpfs', () => {
  it('a volume is the default type; options become VolumeOptions', () => {
    assert.deepEqual(parseMountFlag('src=data,dst=/d'), { Type: 'volume', Source: 'data', Target: '/d' });
    assert.deepEqual(parseMountFlag('type=volume,dst=/d,readonly,volume-nocopy,volume-label=a=1,volume-opt=type=tmpfs,volume-opt=device=tmpfs'), {
      Type: 'volume',
      Target: '/d',
      ReadOnly: true,
      VolumeOptions: { NoCopy: true, Labels: { a: '1' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } },
    });
  });
  it('tmpfs takes a size and an octal mode', () => {
    const mount = parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=10m,tmpfs-mode=1770');
    assert.deepEqual(mount, { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 10 * 1024 * 1024, Mode: 0o1770 } });
    assert.equal(tmpfsOptions(mount as never), 'mode=1770,size=10m');
    assert.equal(tmpfsOptions({ Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 1000 } }), 'ro,size=1000');
  });
  const bad: [string, string | RegExp][] = [
    ['type=volume,src=/abs,dst=/d', /invalid mount config for type "volume": invalid volume name/],
    ['type=volume,src=data,dst=/d,volume-driver=nfs', /volume driver "nfs" is not supported/],
    ['type=volume,src=data,dst=/d,volume-subpath=x', 'volume-subpath is not supported yet'],
    ['type=tmpfs,src=x,dst=/t', 'invalid mount config for type "tmpfs": field Source must not be specified'],
    ['type=tmpfs,dst=/t,tmpfs-mode=9', 'invalid value for tmpfs-mode: 9'],
    ['type=tmpfs,dst=/t,volume-nocopy', "cannot mix 'volume-*' options with mount type 'tmpfs'"],
    ['type=volume,dst=relative', `invalid mount config for type "volume": invalid mount path: 'relative' mount path must be absolute`],
  ];
  for (const [input, message] of bad) it(`refuses ${input}`, () => assert.throws(() => parseMountFlag(input), usage(message)));
  it('the intent accepts the three types', () => {
    const intent = parseCreateIntent({
      Image: 'a',
      HostConfig: { Mounts: [parseMountFlag('src=vol,dst=/v'), parseMountFlag('type=tmpfs,dst=/t'), parseMountFlag('type=bind,src=/h,dst=/h')] },
    });
    assert.deepEqual(intent.HostConfig.Mounts?.map((mount) => mount.Type), ['volume', 'tmpfs', 'bind']);
  });
});

describe('spec mounts for volumes', () => {
  const spec = () => ({ mounts: [] }) as unknown as Spec;
  it('volume binds and --mount volumes are left to the resolved volumes; tmpfs mounts are tmpfs', () => {
    const s = spec();
    withBindMounts(s, ['data:/data', '/h:/h']);
    withMounts(s, [{ Type: 'volume', Target: '/v' }, { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 } }]);
    withVolumeMounts(s, [{ source: '/vol/data/_data', destination: '/data', readonly: true }]);
    assert.deepEqual(s.mounts, [
      { destination: '/h', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1k'] },
      { destination: '/data', type: 'bind', source: '/vol/data/_data', options: ['rbind', 'rprivate', 'ro'] },
    ]);
  });
});

describe('mount points', () => {
  const stored: MountPoint[] = [
    { Type: 'volume', Name: 'data', Source: '/v/data/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'volume', Name: 'f'.repeat(64), Source: '/v/f/_data', Destination: '/anon', Driver: 'local', Mode: '', RW: true, Propagation: '', Anonymous: true },
  ];
  it('round-trips through the container extension', () => {
    assert.deepEqual(storedVolumeMounts({ extensions: { 'berth/volumes': volumeMountsExtension(stored) } }), stored);
    assert.deepEqual(storedVolumeMounts({ extensions: {} }), []);
  });
  it('inspect shows binds, tmpfs mounts and volumes, without berth\'s own fields', () => {
    const intent = parseCreateIntent({ Image: 'a', HostConfig: { Binds: ['/h:/h:ro', 'data:/data'], Mounts: [{ Type: 'tmpfs', Target: '/t' }] } });
    assert.deepEqual(containerMountPoints(intent, stored), [
      { Type: 'bind', Source: '/h', Destination: '/h', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
      { Type: 'volume', Name: 'data', Source: '/v/data/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
      { Type: 'volume', Name: 'f'.repeat(64), Source: '/v/f/_data', Destination: '/anon', Driver: 'local', Mode: '', RW: true, Propagation: '' },
    ]);
  });
});

describe('volume selection', () => {
  const anonymous = volume('a'.repeat(64), { [ANONYMOUS_LABEL]: '' });
  const named = volume('named', { team: 'x' });
  const withOptions = volume('b'.repeat(64), { [ANONYMOUS_LABEL]: '' }, { type: 'tmpfs', device: 'tmpfs' });
  const used = volume('c'.repeat(64), { [ANONYMOUS_LABEL]: '' });
  const users = new Map([[used.Name, ['container1']]]);
  const all = [anonymous, named, withOptions, used];

  it('prune takes unused anonymous volumes without options', () => {
    assert.deepEqual(prunableVolumes(all, users, parseVolumeFilters([], true)).map((v) => v.Name), [anonymous.Name]);
  });
  it('prune -a (all=true) takes named ones too, label filters narrow it', () => {
    assert.deepEqual(prunableVolumes(all, users, parseVolumeFilters(['all=true'], true)).map((v) => v.Name), [anonymous.Name, named.Name]);
    assert.deepEqual(prunableVolumes(all, users, parseVolumeFilters(['all=1', 'label=team=x'], true)).map((v) => v.Name), [named.Name]);
    assert.deepEqual(prunableVolumes(all, users, parseVolumeFilters(['all=1', 'label!=team'], true)).map((v) => v.Name), [anonymous.Name]);
  });
  it('ls filters: dangling, name (a pattern), driver, label', () => {
    const filters = (values: string[]) => parseVolumeFilters(values);
    assert.equal(volumeMatches(used, true, filters(['dangling=true'])), false);
    assert.equal(volumeMatches(named, false, filters(['dangling=true'])), true);
    assert.equal(volumeMatches(named, false, filters(['dangling=false'])), false);
    assert.equal(volumeMatches(named, false, filters(['name=nam'])), true);
    assert.equal(volumeMatches(named, false, filters(['name=^x'])), false);
    assert.equal(volumeMatches(named, false, filters(['driver=local', 'label=team'])), true);
    assert.equal(volumeMatches(named, false, filters(['label=team=y'])), false);
  });
  it('refuses filters each command does not know', () => {
    assert.throws(() => parseVolumeFilters(['until=1h'], true), (error: unknown) => isBerthError(error) && error.message === "invalid filter 'until'");
    assert.throws(() => parseVolumeFilters(['all=true']), (error: unknown) => isBerthError(error) && error.message === "invalid filter 'all'");
    assert.throws(() => parseVolumeFilters(['dangling=maybe']), (error: unknown) => isBerthError(error) && error.message === "invalid filter 'dangling=maybe'");
  });
  it("rm's refusal reads as Docker's", () => assert.equal(volumeInUse('data', ['abc', 'def']).message, 'remove data: volume is in use - [abc, def]'));
  it('checks names and local driver options', () => {
    assert.throws(() => validateVolumeName('a'), /volume name is too short/);
    assert.throws(() => validateVolumeName('-x'), /includes invalid characters/);
    assert.throws(() => validateVolumeOptions({ type: 'tmpfs' }), /missing required option: "device"/);
    assert.throws(() => validateVolumeOptions({ colour: 'red' }), /invalid option: "colour"/);
    validateVolumeOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m' });
  });
});
