// Startup cost: `berth version --client` against `node -e 0`, and `berth namespace ls`
// against `ctr namespaces ls`, on a private containerd.
import { fileURLToPath } from 'node:url';
import { compare } from './lib.js';
import { startWorld } from '../test/world/world.js';

const berth = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const world = await startWorld();
try {
  const env = { ...process.env, CONTAINERD_ADDRESS: world.address, BERTH_TOML: world.berthToml };
  compare('startup: client only', [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { name: 'berth version --client', argv: [process.execPath, berth, 'version', '--client'], env },
  ]);
  compare('namespace list', [
    { name: 'ctr namespaces ls', argv: ['ctr', '--address', world.address, 'namespaces', 'ls'] },
    { name: 'berth namespace ls', argv: [process.execPath, berth, 'namespace', 'ls'], env },
  ]);
} finally {
  await world.stop();
}
