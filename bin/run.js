#!/usr/bin/env node
// The `berth` executable: the bundled CLI, built by `npm run build`.
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2));
// Leftover handles (a FIFO open, a gRPC channel closing) must not keep berth alive.
process.exit(code);
