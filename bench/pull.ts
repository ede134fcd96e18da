// Cold pull + unpack of a large multi-layer image from the local registry: berth against
// `ctr images pull --plain-http`, alternating, content and snapshots wiped before every run;
// then berth's peak RSS during one more cold pull.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compare } from './lib.js';
import { startWorld } from '../test/world/world.js';
import { pushLargeImage } from '../test/world/fixtures.js';

const LAYERS = 5;
const LAYER_BYTES = 48 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const berth = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const world = await startWorld();
try {
  const reference = await pushLargeImage(world.registry, 'bench/large', LAYERS, LAYER_BYTES);
  const env = { ...process.env, CONTAINERD_ADDRESS: world.address, BERTH_TOML: world.berthToml };
  const ctr = (...args: string[]) => spawnSync('ctr', ['--address', world.address, ...args], { stdio: 'ignore' });
  // Content is shared between namespaces: both must let go of it for the next pull to be cold.
  const wipe = () => {
    for (const namespace of ['bench-ctr', 'bench-berth']) ctr('-n', namespace, 'images', 'rm', '--sync', reference);
  };
  console.log(`image: ${reference}, ${LAYERS + 1} layers, ${((LAYERS * LAYER_BYTES) / 1e6).toFixed(0)} MB of random data`);
  compare(
    'cold pull + unpack',
    [
      { name: 'ctr images pull --plain-http', argv: ['ctr', '--address', world.address, '-n', 'bench-ctr', 'images', 'pull', '--plain-http', reference], before: wipe },
      { name: 'berth pull', argv: [process.execPath, berth, '-n', 'bench-berth', 'pull', '-q', reference], env, before: wipe },
    ],
    RUNS,
    0,
  );

  wipe();
  const child = spawn(process.execPath, [berth, '-n', 'bench-berth', 'pull', '-q', reference], { env, stdio: 'ignore' });
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // the process has just exited
    }
  }, 10);
  await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(sample);
  console.log(`berth pull peak RSS: ${(peakKb / 1024).toFixed(1)} MB`);
  wipe();
} finally {
  await world.stop();
}
