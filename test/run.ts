// The `npm test` entry: starts the private test world when there are e2e tests,
// runs unit and e2e tests in one call of node's test runner (so one summary is
// printed), then stops the world again, also when interrupted.
//
//   node --import tsx test/run.ts [--e2e-only] [FILE.test.ts...]

import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld, type World } from './world/world.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

let signalled: NodeJS.Signals | undefined;
let runner: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signalled = signal;
    runner?.kill(signal);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

async function main(): Promise<number> {
  // Test files named on the command line run alone, e.g. `npm test -- test/e2e/containers.test.ts`.
  const named = process.argv.slice(2).filter((arg) => arg.endsWith('.test.ts')).map((file) => resolve(file));
  const e2e = named.length > 0 ? named.filter((file) => file.includes('/test/e2e/')) : await testFiles('e2e');
  const files = named.length > 0 ? named : [...(process.argv.includes('--e2e-only') ? [] : await testFiles('unit')), ...e2e];
  if (files.length === 0) {
    console.error('no test files found');
    return 1;
  }
  if (e2e.length === 0) return runTests(files, process.env);

  if (process.getuid?.() !== 0) {
    console.error(
      'end-to-end tests need root (they start a private containerd); run as root, or run `npm run test:unit`',
    );
    return 1;
  }
  const world = await startTestWorld();
  let code = 1;
  try {
    if (signalled) return exitCode(signalled);
    const { stop, ...info } = world;
    const worldJson = join(world.tmp, 'world.json');
    await writeFile(worldJson, JSON.stringify(info, null, 2) + '\n');
    code = await runTests(files, { ...process.env, BERTH_TEST_WORLD: worldJson });
  } finally {
    await world.stop().catch((err: unknown) => {
      console.error(err);
      code ||= 1;
    });
  }
  return signalled ? exitCode(signalled) : code;
}

async function startTestWorld(): Promise<World> {
  const started = Date.now();
  process.stderr.write('starting the private test world (containerd, registries, fixture images)... ');
  try {
    const world = await startWorld();
    process.stderr.write(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${world.tmp}\n`);
    return world;
  } catch (err) {
    process.stderr.write('failed\n');
    throw err;
  }
}

/** Node 20's --test does not expand globs, so the files are listed here. */
async function testFiles(kind: 'unit' | 'e2e'): Promise<string[]> {
  const dir = join(repoRoot, 'test', kind);
  const names = await readdir(dir).catch(() => []);
  return names
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...files];
  return new Promise((resolve, reject) => {
    runner = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'inherit' });
    runner.once('error', reject);
    runner.once('exit', (code, signal) => resolve(code ?? exitCode(signal ?? 'SIGKILL')));
  });
}

function exitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
