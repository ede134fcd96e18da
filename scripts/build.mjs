// npm run build: protos → JSON descriptor, TypeScript → one esbuild bundle (fast startup),
// oclif.manifest.json, then a type check.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

// oclif requires these at load time but needs them only for help, errors or plugin discovery:
// in the bundle they load on first use, which keeps them out of every command's startup.
const LAZY_MODULES = new Set(['wrap-ansi', 'indent-string', 'ejs', 'clean-stack', 'widest-line', 'tinyglobby', 'supports-color', 'string-width', 'minimatch', 'lilconfig', 'debug', 'cli-spinners']);
// oclif's own help modules, required by its error handling and flag definitions at load time
const LAZY_INTERNAL = {
  '@oclif/core/lib/errors/handle.js': ['../help/index'],
  '@oclif/core/lib/flags.js': ['./help'],
  // grpc-js: berth is a client; the server side loads only if something asks for it
  '@grpc/grpc-js/build/src/index.js': ['./server', './server-credentials', './server-interceptors', './admin', './orca'],
};
const LAZY_HELPER = `
function __berthLazy(load) {
  let loaded;
  const get = () => (loaded ??= { module: load() }).module;
  return new Proxy(function () {}, {
    // __importDefault asks for __esModule first: answering it must not load the module.
    get: (_, key) => (key === '__esModule' ? true : key === 'default' ? (get()?.__esModule ? get().default : get()) : get()[key]),
    has: (_, key) => key in get(),
    apply: (_, self, args) => get().apply(self, args),
  });
}
`;
const lazyRequires = {
  name: 'lazy-requires',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/](@oclif[\\/]core[\\/]lib|@grpc[\\/]grpc-js[\\/]build[\\/]src)[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const internal = Object.entries(LAZY_INTERNAL).find(([file]) => args.path.endsWith(`/node_modules/${file}`))?.[1] ?? [];
      const lazy = (name) => LAZY_MODULES.has(name) || internal.includes(name);
      const rewritten = source.replace(/(?<!__importStar\()require\("([^"]+)"\)/g, (call, name) => (lazy(name) ? `__berthLazy(() => ${call})` : call));
      return { contents: rewritten === source ? source : `${LAZY_HELPER}${rewritten}`, loader: 'js' };
    });
  },
};

rmSync(`${root}dist`, { recursive: true, force: true });
// The log driver process (one per running container): its own small bundle, without oclif or gRPC,
// and CommonJS, which spares Node's ESM loader (1.6 MB of RSS in every logger).
await build({
  absWorkingDir: root,
  entryPoints: ['src/logger/main.ts'],
  outfile: 'dist/logger.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: process.env.BERTH_NO_MINIFY !== '1',
  logLevel: 'warning',
});

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
  plugins: [lazyRequires],
  alias: { 'wsl-utils': './src/cli/shims/wsl-utils.ts' },
  define: { BERTH_VERSION: JSON.stringify(version), BERTH_GIT_COMMIT: JSON.stringify(commit) },
  // Bundled CommonJS dependencies (oclif, grpc-js) expect require/__dirname in scope.
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; import { fileURLToPath as __berthFileURLToPath } from 'node:url'; const require = __berthCreateRequire(import.meta.url); const __filename = __berthFileURLToPath(import.meta.url); const __dirname = __berthFileURLToPath(new URL('.', import.meta.url));",
  },
});

run(bin('oclif'), ['manifest']);
run(bin('tsc'), ['--noEmit', '-p', '.']);
