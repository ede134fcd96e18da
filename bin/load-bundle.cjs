// Loads the bundled CLI (dist/berth.cjs) with the V8 code cache that `npm run build` made for it.
// Node 20 keeps no compile cache of its own, and compiling the bundle was most of a short
// command's time. The bundle is written as one function expression (the CommonJS wrapper), so
// its text is compiled as it is read, without a copy.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'berth.cjs');
const cacheFile = `${bundle}.cache`;

function loadBundle() {
  // esbuild writes ASCII only: latin1 reads it without UTF-8 decoding, as a one-byte string
  const source = readFileSync(bundle, 'latin1');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet: compiled from source, and saveCodeCache writes one
  }
  // No import() callback: Node 20 loses it on a script compiled from a code cache (and flags it
  // experimental). The build refuses a bundle whose own code would need one.
  const script = new Script(source, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dist);
  return {
    exports: module.exports,
    /**
     * The build adds each of its runs' compiled code to the cache; a cache V8 refused (another
     * node, other V8 flags) is replaced, so the next start is fast again. A process that changed
     * V8's flags writes none: its cache would carry those flags and be refused at the next start.
     * Best effort: dist/ may be read-only.
     */
    saveCodeCache({ always = false, flagsChanged = false } = {}) {
      if (flagsChanged) return;
      if (!always && cachedData !== undefined && !script.cachedDataRejected) return;
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        // left to the next start
      }
    },
  };
}

module.exports = { loadBundle };
