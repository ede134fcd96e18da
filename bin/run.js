#!/usr/bin/env -S node --
// The `berth` executable: the bundled CLI, built by `npm run build`, loaded with its code cache.
// (`node --`: Node 20 would otherwise take a later `--env-file` of `berth run` as its own option.)
// CommonJS (bin/package.json): an ES module entry would start Node's ESM loader, ~10 ms of every command.
'use strict';
const { loadBundle } = require('./load-bundle.cjs');

const berth = loadBundle();
berth.exports.main(process.argv.slice(2)).then((code) => {
  berth.saveCodeCache({
    always: process.env.BERTH_CODE_CACHE === 'write',
    flagsChanged: berth.exports.v8FlagsChanged(),
    // what a failed command compiled is seldom what the next start needs
    learn: code === 0 ? berth.exports.codePath() : undefined,
  });
  // Leftover handles (a FIFO open, a gRPC channel closing) must not keep berth alive.
  process.exit(code);
});
