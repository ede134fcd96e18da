// The json-file log as Docker writes and reads it: line splitting, 16 KiB partials, rotation,
// the attach frames, --log-opt parsing, and `logs` options (tail, since/until, -t, --details, -f).

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { FrameDecoder, encodeFrame } from '../../src/runtime/logging/frames.js';
import { JsonFileWriter, LineSplitter, MAX_LINE_BYTES, encodeEntry, formatRfc3339Nano } from '../../src/runtime/logging/json-file.js';
import { checkLoggerConfig, configPathFromArgs } from '../../src/runtime/logging/logger-config.js';
import { formatEntry, formatRfc3339NanoFixed, logFiles, parseEntry, parseTail, parseTimeOption, readLog, type ReadLogOptions } from '../../src/runtime/logging/read.js';
import { loggerUri, parseHumanSize, parseLogSettings } from '../../src/runtime/logging/task-io.js';

const scratch = mkdtempSync(join(tmpdir(), 'berth-logging-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = () => join(scratch, `c${++counter}`, 'c-json.log');
const fixedClock = () => '2024-01-02T03:04:05.123456789Z';
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

describe('json-file writer', () => {
  it('writes one entry per line, keeping the newline, per stream', () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock);
    writer.write('stdout', Buffer.from('hello\nwor'));
    writer.write('stderr', Buffer.from('oops\n'));
    writer.write('stdout', Buffer.from('ld\n'));
    writer.close();
    assert.deepEqual(lines(path), [
      { log: 'hello\n', stream: 'stdout', time: '2024-01-02T03:04:05.123456789Z' },
      { log: 'oops\n', stream: 'stderr', time: '2024-01-02T03:04:05.123456789Z' },
      { log: 'world\n', stream: 'stdout', time: '2024-01-02T03:04:05.123456789Z' },
    ]);
  });

  it('logs an unfinished last line at the end, without a newline', () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock);
    writer.write('stdout', Buffer.from('prompt> '));
    writer.close();
    assert.equal(lines(path)[0].log, 'prompt> ');
  });

  it('cuts a line longer than 16 KiB into partial entries', () => {
    const splitter = new LineSplitter();
    const long = Buffer.alloc(MAX_LINE_BYTES * 2 + 10, 'a');
    const out = splitter.push('stdout', Buffer.concat([long, Buffer.from('\n')]));
    assert.deepEqual(out.map((b) => b.length), [MAX_LINE_BYTES, MAX_LINE_BYTES, 11]);
    assert.equal(splitter.flush('stdout'), undefined);
  });

  it('escapes as Go does', () => {
    assert.equal(encodeEntry(Buffer.from('<a&b>\u2028"\n'), 'stdout', 't'), '{"log":"\\u003ca\\u0026b\\u003e\\u2028\\"\\n","stream":"stdout","time":"t"}\n');
  });

  it('formats RFC3339Nano as Go does', () => {
    assert.equal(formatRfc3339Nano(1704164645_120000000n), '2024-01-02T03:04:05.12Z');
    assert.equal(formatRfc3339Nano(1704164645_000000000n), '2024-01-02T03:04:05Z');
    assert.equal(formatRfc3339NanoFixed(1704164645_120000000n), '2024-01-02T03:04:05.120000000Z');
  });

  it('rotates when the file has reached max-size, keeping max-file files', () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 100, maxFile: 3 }, fixedClock);
    for (let index = 0; index < 10; index++) writer.write('stdout', Buffer.from(`line ${index}\n`));
    writer.close();
    const names = readdirSync(join(path, '..')).sort();
    assert.deepEqual(names, ['c-json.log', 'c-json.log.1', 'c-json.log.2']);
    // each entry is 77 bytes: two per file, the newest in the current file
    assert.deepEqual(lines(path).map((e) => e.log), ['line 8\n', 'line 9\n']);
    assert.deepEqual(lines(`${path}.1`).map((e) => e.log), ['line 6\n', 'line 7\n']);
    assert.deepEqual(lines(`${path}.2`).map((e) => e.log), ['line 4\n', 'line 5\n']);
  });

  it('truncates with max-file 1', () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 100, maxFile: 1 }, fixedClock);
    for (let index = 0; index < 5; index++) writer.write('stdout', Buffer.from(`line ${index}\n`));
    writer.close();
    assert.deepEqual(lines(path).map((e) => e.log), ['line 4\n']);
    assert.deepEqual(readdirSync(join(path, '..')), ['c-json.log']);
  });

  it('appends to an existing log (a restarted container) and counts its size', () => {
    const path = fresh();
    new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock).close();
    const first = new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock);
    first.write('stdout', Buffer.from('one\n'));
    first.close();
    const second = new JsonFileWriter({ path, maxSize: 50, maxFile: 2 }, fixedClock);
    second.write('stdout', Buffer.from('two\n'));
    second.close();
    assert.deepEqual(lines(`${path}.1`).map((e) => e.log), ['one\n']);
    assert.deepEqual(lines(path).map((e) => e.log), ['two\n']);
  });
});

describe('attach frames', () => {
  it('reassembles frames cut anywhere', () => {
    const bytes = Buffer.concat([encodeFrame('stdout', Buffer.from('hello\n')), encodeFrame('stderr', Buffer.from('')), encodeFrame('stderr', Buffer.from('err'))]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [['stdout', 'hello\n'], ['stderr', ''], ['stderr', 'err']]);
      assert.equal(decoder.pendingBytes, 0);
    }
  });
});

describe('--log-driver and --log-opt', () => {
  it('defaults to json-file without limits', () => {
    assert.deepEqual(parseLogSettings(undefined, undefined), { driver: 'json-file', maxSize: 0, maxFile: 1 });
    assert.deepEqual(parseLogSettings('none', { anything: 'x' }), { driver: 'none', maxSize: 0, maxFile: 1 });
  });

  it('reads max-size and max-file as Docker does', () => {
    assert.deepEqual(parseLogSettings('json-file', { 'max-size': '10m', 'max-file': '3' }), { driver: 'json-file', maxSize: 10_000_000, maxFile: 3 });
    assert.equal(parseHumanSize('1.5k'), 1500);
    assert.equal(parseHumanSize('20MB'), 20_000_000);
    assert.equal(parseHumanSize('3 g'), 3_000_000_000);
    assert.equal(parseHumanSize('100'), 100);
  });

  const refusals: Array<[string | undefined, Record<string, string>, RegExp]> = [
    ['syslog', {}, /not supported by berth/],
    ['foo', {}, /no log driver named 'foo' is registered/],
    ['json-file', { 'max-size': 'lots' }, /invalid size: 'lots'/],
    ['json-file', { 'max-size': '0' }, /max-size must be a positive number/],
    ['json-file', { 'max-file': '0' }, /max-file cannot be less than 1/],
    ['json-file', { 'max-file': 'x' }, /invalid syntax/],
    ['json-file', { compress: 'true' }, /not supported by berth/],
    ['json-file', { colour: 'red' }, /unknown log opt 'colour' for json-file log driver/],
  ];
  for (const [driver, opts, message] of refusals) {
    it(`refuses ${driver} ${JSON.stringify(opts)} as a usage error`, () => {
      assert.throws(() => parseLogSettings(driver, opts), (error: unknown) => isBerthError(error, 'usage') && message.test(error.message));
    });
  }

  it('builds a binary:// URI whose query carries the config and node', () => {
    const uri = loggerUri('/var/lib/berth/x/containers/default/abc/logger.json', '/opt/berth/bin/berth-logger', '/usr/bin/node');
    const url = new URL(uri);
    assert.equal(url.protocol, 'binary:');
    assert.equal(url.pathname, '/opt/berth/bin/berth-logger');
    assert.equal(url.searchParams.get('config'), '/var/lib/berth/x/containers/default/abc/logger.json');
    assert.equal(url.searchParams.get('node'), '/usr/bin/node');
  });

  it('checks the logger config and finds it among argv pairs in any order', () => {
    assert.equal(configPathFromArgs(['node', '/n', 'config', '/c.json']), '/c.json');
    assert.equal(configPathFromArgs(['config', '/c.json', 'node', '/n']), '/c.json');
    assert.throws(() => checkLoggerConfig({ driver: 'json-file', logPath: '/l', maxSize: 0, maxFile: 0 }), /maxFile/);
    assert.throws(() => checkLoggerConfig({ driver: 'x', logPath: '/l', maxSize: 0, maxFile: 1 }), /driver/);
    assert.throws(() => checkLoggerConfig({ driver: 'none', logPath: '/l', maxSize: 0, maxFile: 1, onExit: [] }), /onExit/);
    assert.ok(checkLoggerConfig({ driver: 'none', logPath: '/l', maxSize: 0, maxFile: 1, attach: '\0x', onExit: ['/bin/true'] }));
  });
});

describe('logs', () => {
  const base = 1704164645_000000000n; // 2024-01-02T03:04:05Z
  const entry = (offsetSeconds: number, log: string, stream = 'stdout') =>
    `${JSON.stringify({ log, stream, time: formatRfc3339Nano(base + BigInt(offsetSeconds) * 1_000_000_000n) })}\n`;
  const options = (extra: Partial<ReadLogOptions> = {}): ReadLogOptions => ({ follow: false, tail: -1, timestamps: false, details: false, ...extra });
  const collect = async (path: string, opts: ReadLogOptions, complete = async () => true) => {
    const out: string[] = [];
    await readLog(path, opts, { write: (stream, text) => void out.push(`${stream}:${text}`) }, complete);
    return out;
  };
  const rotatedLog = () => {
    const path = fresh();
    rmSync(join(path, '..'), { recursive: true, force: true });
    new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }).close();
    writeFileSync(`${path}.2`, entry(0, 'a\n') + entry(1, 'b\n'));
    writeFileSync(`${path}.1`, entry(2, 'c\n', 'stderr') + entry(3, 'd\n'));
    writeFileSync(path, entry(4, 'e\n') + entry(5, 'partial'));
    return path;
  };

  it('reads rotated files oldest first, streams apart', async () => {
    const path = rotatedLog();
    assert.deepEqual(await logFiles(path), [`${path}.2`, `${path}.1`, path]);
    assert.deepEqual(await collect(path, options()), ['stdout:a\n', 'stdout:b\n', 'stderr:c\n', 'stdout:d\n', 'stdout:e\n', 'stdout:partial']);
  });

  it('--tail counts entries from the end, across files', async () => {
    const path = rotatedLog();
    assert.deepEqual(await collect(path, options({ tail: 3 })), ['stdout:d\n', 'stdout:e\n', 'stdout:partial']);
    assert.deepEqual(await collect(path, options({ tail: 5 })), ['stdout:b\n', 'stderr:c\n', 'stdout:d\n', 'stdout:e\n', 'stdout:partial']);
    assert.deepEqual(await collect(path, options({ tail: 0 })), []);
    assert.equal((await collect(path, options({ tail: 100 }))).length, 6);
    assert.equal(parseTail('all'), -1);
    assert.equal(parseTail('foo'), -1); // Docker's daemon reads anything unparsable as all
    assert.equal(parseTail('-3'), -1);
    assert.equal(parseTail('10'), 10);
  });

  it('--tail reads a big log from the end', async () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock);
    for (let index = 0; index < 20000; index++) writer.write('stdout', Buffer.from(`line ${index}\n`));
    writer.close();
    assert.deepEqual(await collect(path, options({ tail: 2 })), ['stdout:line 19998\n', 'stdout:line 19999\n']);
  });

  it('--since and --until are inclusive', async () => {
    const path = rotatedLog();
    const since = base + 2_000_000_000n;
    const until = base + 4_000_000_000n;
    assert.deepEqual(await collect(path, options({ since, until })), ['stderr:c\n', 'stdout:d\n', 'stdout:e\n']);
  });

  it('takes Docker forms for --since/--until', () => {
    const now = new Date('2024-01-02T03:04:05.678Z');
    assert.equal(parseTimeOption('10m', now, 'since'), 1704164045_000000000n); // whole seconds, as Docker
    assert.equal(parseTimeOption('1h30m', now, 'since'), 1704159245_000000000n);
    assert.equal(parseTimeOption('2024-01-02T03:04:05Z', now, 'since'), base);
    assert.equal(parseTimeOption('2024-01-02T03:04:05.5Z', now, 'since'), base + 500_000_000n);
    assert.equal(parseTimeOption('2024-01-02T05:04:05+02:00', now, 'since'), base);
    assert.equal(parseTimeOption('1704164645', now, 'since'), base);
    assert.equal(parseTimeOption('1704164645.25', now, 'since'), base + 250_000_000n);
    process.env.TZ = 'UTC';
    assert.equal(parseTimeOption('2024-01-02', now, 'until'), 1704153600_000000000n);
    assert.throws(() => parseTimeOption('yesterday', now, 'since'), /invalid value for "since": failed to parse value as time or duration: "yesterday"/);
  });

  it('prints -t and --details as Docker does', () => {
    const parsed = parseEntry(entry(0, 'hi\n'))!;
    assert.equal(formatEntry(parsed, { timestamps: true, details: false }), '2024-01-02T03:04:05.000000000Z hi\n');
    assert.equal(formatEntry(parsed, { timestamps: false, details: true }), ' hi\n');
    assert.equal(formatEntry({ ...parsed, attrs: { tag: 'a b', env: 'x' } }, { timestamps: true, details: true }), '2024-01-02T03:04:05.000000000Z env=x,tag=a+b hi\n');
    assert.equal(parseEntry('{"log":"x"'), undefined);
  });

  it('-f follows appends and rotation until the log is complete', async () => {
    const path = fresh();
    const writer = new JsonFileWriter({ path, maxSize: 200, maxFile: 2 }, fixedClock);
    writer.write('stdout', Buffer.from('first\n'));
    let done = false;
    const out: string[] = [];
    const reading = readLog(path, options({ follow: true }), { write: (_s, text) => void out.push(text) }, async () => done);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 60));
    await pause();
    for (let index = 0; index < 6; index++) {
      writer.write('stdout', Buffer.from(`more ${index}\n`));
      await pause();
    }
    writer.write('stdout', Buffer.from('last\n'));
    writer.close();
    done = true;
    await reading;
    assert.deepEqual(out, ['first\n', ...[0, 1, 2, 3, 4, 5].map((i) => `more ${i}\n`), 'last\n']);
  });

  it('-f ends when the container is gone even if the file was moved away', async () => {
    const path = fresh();
    new JsonFileWriter({ path, maxSize: 0, maxFile: 1 }, fixedClock).close();
    appendFileSync(path, entry(0, 'x\n'));
    let calls = 0;
    const out = await collect(path, options({ follow: true }), async () => ++calls > 2);
    assert.deepEqual(out, ['stdout:x\n']);
    renameSync(path, `${path}.gone`);
  });
});
