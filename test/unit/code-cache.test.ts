// bin/load-bundle.cjs: the code cache a start writes is one the next start takes, and a process
// that changed V8's flags (the registry client's --liftoff-only) writes none, since V8 would refuse
// a cache stamped with them at every later start.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const loader = fileURLToPath(new URL('../../bin/load-bundle.cjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'berth-code-cache-'));
mkdirSync(join(root, 'bin'));
mkdirSync(join(root, 'dist'));
copyFileSync(loader, join(root, 'bin', 'load-bundle.cjs'));
// a bundle as the build writes it: the CommonJS wrapper as one function expression
writeFileSync(join(root, 'dist', 'berth.cjs'), '(function (exports, require, module, __filename, __dirname) {\nexports.answer = () => [1, 2, 3].map((n) => n * 14).at(-1);\n})');
const cacheFile = join(root, 'dist', 'berth.cjs.cache');
after(() => rmSync(root, { recursive: true, force: true }));

/** a start: load the bundle, run it, maybe change a V8 flag as the registry client does, save */
function start(options: { changeFlags?: boolean; learn?: string } = {}): { answer: number; rejected: boolean } {
  const program = `
    const { loadBundle } = require(${JSON.stringify(join(root, 'bin', 'load-bundle.cjs'))});
    const { Script } = require('node:vm');
    const { readFileSync, existsSync } = require('node:fs');
    const bundle = ${JSON.stringify(join(root, 'dist', 'berth.cjs'))};
    // what V8 thinks of the cache on disk now, before this start replaces it
    const rejected = existsSync(bundle + '.cache') && new Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData: readFileSync(bundle + '.cache') }).cachedDataRejected;
    const berth = loadBundle();
    const answer = berth.exports.answer();
    if (${options.changeFlags === true}) require('node:v8').setFlagsFromString('--liftoff-only');
    berth.saveCodeCache({ flagsChanged: ${options.changeFlags === true}, learn: ${JSON.stringify(options.learn)} });
    process.stdout.write(JSON.stringify({ answer, rejected }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', program], { encoding: 'utf8' })) as { answer: number; rejected: boolean };
}

describe('code cache (bin/load-bundle.cjs)', () => {
  it('writes none after a start that changed V8 flags', () => {
    assert.equal(start({ changeFlags: true }).answer, 42);
    assert.equal(existsSync(cacheFile), false);
  });

  it('writes one on a start without a cache, which the next start takes and keeps', () => {
    assert.equal(start().answer, 42);
    assert.ok(existsSync(cacheFile), 'a cache was written');
    const written = statSync(cacheFile).ino;
    const next = start();
    assert.deepEqual(next, { answer: 42, rejected: false });
    assert.equal(statSync(cacheFile).ino, written, 'a cache V8 took is not written again');
  });

  it('leaves a good cache alone when a start changes V8 flags', () => {
    const written = statSync(cacheFile).ino;
    start({ changeFlags: true });
    assert.equal(statSync(cacheFile).ino, written);
    assert.equal(start().rejected, false);
  });

  it('adds a path a start took to the cache once, and remembers it', () => {
    const before = statSync(cacheFile).ino;
    assert.equal(start({ learn: 'container:run --rm' }).rejected, false);
    const learnt = statSync(cacheFile).ino;
    assert.notEqual(learnt, before, 'the cache was written again with the new path');
    assert.deepEqual(readFileSync(`${cacheFile}.paths`, 'utf8').split('\n').filter(Boolean), ['container:run --rm']);
    assert.equal(start({ learn: 'container:run --rm' }).rejected, false);
    assert.equal(statSync(cacheFile).ino, learnt, 'a path already learnt writes nothing');
  });
});
