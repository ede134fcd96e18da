// Loads the bundled CLI (dist/berth.cjs) with the V8 code cache that `npm run build` made for it.
// Node 20 keeps no compile cache of its own, and compiling the bundle was most of a short
// command's time. The bundle is written as one function expression (the CommonJS wrapper), so
// its text is compiled as it is read, without a copy.
'use strict';
const { accessSync, appendFileSync, closeSync, constants, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'berth.cjs');
const cacheFile = `${bundle}.cache`;
// The paths (a command and its flags) whose compiled code the cache holds, one per line. The
// build's runs stop at the first call to containerd (there is none), so what a command compiles
// after it (the replies, the container's creation, its removal) joins the cache on the first run
// of each path that succeeds: later runs of it compile nothing.
const learnedFile = `${cacheFile}.paths`;
// each path learned grows the cache a little, and every start reads all of it
const MAX_LEARNED_PATHS = 24;
// V8 drops the bytecode of functions a long-running process stopped using: its cache would lose
// what other paths had taught
const LEARNING_MAX_UPTIME_MS = 5_000;

function writable(directory) {
  try {
    accessSync(directory, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function learnedPaths() {
  try {
    return readFileSync(learnedFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The whole file into `buffer` (which is large enough); returns the bytes read. */
function readInto(fd, buffer, size) {
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, buffer, offset, size - offset, offset);
    if (read === 0) break;
    offset += read;
  }
  return offset;
}

/**
 * The bundle's text and its code cache, read through one buffer: the text is copied out of it
 * into a string, then the cache is read over it. Fresh memory costs a page fault per 4 KiB
 * (measured: ~14 µs each on a VM); a second buffer for the cache was ~500 of them per start.
 */
function readSourceAndCache() {
  const sourceFd = openSync(bundle, 'r');
  let cacheFd;
  try {
    cacheFd = openSync(cacheFile, 'r');
  } catch {
    // none yet: compiled from source, and saveCodeCache writes one
  }
  try {
    const sourceSize = fstatSync(sourceFd).size;
    const cacheSize = cacheFd === undefined ? 0 : fstatSync(cacheFd).size;
    const buffer = Buffer.allocUnsafeSlow(Math.max(sourceSize, cacheSize));
    // esbuild writes ASCII only: latin1 makes it a one-byte string without UTF-8 decoding
    const source = buffer.toString('latin1', 0, readInto(sourceFd, buffer, sourceSize));
    const cachedData = cacheFd === undefined ? undefined : buffer.subarray(0, readInto(cacheFd, buffer, cacheSize));
    return { source, cachedData };
  } finally {
    closeSync(sourceFd);
    if (cacheFd !== undefined) closeSync(cacheFd);
  }
}

function loadBundle() {
  const { source, cachedData } = readSourceAndCache();
  // No import() callback: Node 20 loses it on a script compiled from a code cache (and flags it
  // experimental). The build refuses a bundle whose own code would need one.
  const script = new Script(source, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dist);
  return {
    exports: module.exports,
    /**
     * The build adds each of its runs' compiled code to the cache; a cache V8 refused (another
     * node, other V8 flags) is replaced, so the next start is fast again; `learn` names the path
     * this start took, added once when the cache lacks it. A process that changed V8's flags
     * writes none: its cache would carry those flags and be refused at the next start.
     * Best effort: dist/ may be read-only.
     */
    saveCodeCache({ always = false, flagsChanged = false, learn } = {}) {
      if (flagsChanged) return;
      const fresh = cachedData === undefined || script.cachedDataRejected;
      const paths = fresh ? [] : learnedPaths();
      const learning = learn !== undefined && !paths.includes(learn) && paths.length < MAX_LEARNED_PATHS;
      if (!always && !fresh && !learning) return;
      if (learning && !always && !fresh && performance.now() > LEARNING_MAX_UPTIME_MS) return;
      // dist/ of an install the user cannot write: making the cache data (~10 ms) would be for nothing
      if (!writable(dist)) return;
      try {
        const data = script.createCachedData();
        if (!always && !fresh && data.length < statSync(cacheFile).size) return;
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, data);
        renameSync(temporary, cacheFile);
        // a new cache from scratch holds this start's paths only
        if (fresh) writeFileSync(learnedFile, learning ? `${learn}\n` : '');
        else if (learning) appendFileSync(learnedFile, `${learn}\n`);
      } catch {
        // left to the next start
      }
    },
  };
}

module.exports = { loadBundle };
