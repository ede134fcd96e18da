// npm run build: protos → JSON descriptor, TypeScript → one esbuild bundle (fast startup),
// oclif.manifest.json, then a type check.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => `${root}node_modules/.bin/${name}`;

const protoDir = 'src/runtime/containerd/proto';
mkdirSync(`${root}src/runtime/containerd/generated`, { recursive: true });
const protos = readdirSync(`${root}${protoDir}`).filter((file) => file.endsWith('.proto')).map((file) => `${protoDir}/${file}`);
run(bin('pbjs'), ['-t', 'json', '--keep-case', '-p', protoDir, ...protos, '-o', 'src/runtime/containerd/generated/containerd.json']);

const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // not a git checkout
}

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts', commands: 'src/cli/command-map.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  keepNames: true,
  minify: process.env.BERTH_NO_MINIFY !== '1',
  logLevel: 'warning',
  define: { BERTH_VERSION: JSON.stringify(version), BERTH_GIT_COMMIT: JSON.stringify(commit) },
  // Bundled CommonJS dependencies (oclif, grpc-js) expect require/__dirname in scope.
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; import { fileURLToPath as __berthFileURLToPath } from 'node:url'; const require = __berthCreateRequire(import.meta.url); const __filename = __berthFileURLToPath(import.meta.url); const __dirname = __berthFileURLToPath(new URL('.', import.meta.url));",
  },
});

run(bin('oclif'), ['manifest']);
run(bin('tsc'), ['--noEmit', '-p', '.']);
