// Node modules berth's common paths never touch, loaded on first use. A static import would load
// them in every start: the whole CLI is one bundle, and Node's own module loading of child_process
// (with dgram and cluster behind it), readline or v8 costs a few milliseconds each.

import type * as ChildProcess from 'node:child_process';
import type * as Dgram from 'node:dgram';
import { createRequire } from 'node:module';
import type * as ReadlinePromises from 'node:readline/promises';
import type * as V8 from 'node:v8';

const load = createRequire(import.meta.url);

export const childProcess = (): typeof ChildProcess => load('node:child_process') as typeof ChildProcess;
export const dgram = (): typeof Dgram => load('node:dgram') as typeof Dgram;
export const readlinePromises = (): typeof ReadlinePromises => load('node:readline/promises') as typeof ReadlinePromises;
export const v8 = (): typeof V8 => load('node:v8') as typeof V8;
