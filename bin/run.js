#!/usr/bin/env -S node --
// The `berth` executable: the bundled CLI, built by `npm run build`.
// (`node --`: Node 20 would otherwise take a later `--env-file` of `berth run` as its own option.)
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2));
// Leftover handles (a FIFO open, a gRPC channel closing) must not keep berth alive.
process.exit(code);
