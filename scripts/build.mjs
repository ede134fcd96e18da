// npm run build: protos → JSON descriptor, TypeScript → one esbuild bundle and its V8 code
// cache (fast startup), oclif.manifest.json, then a type check.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import protobuf from 'protobufjs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => `${root}node_modules/.bin/${name}`;

const protoDir = 'src/runtime/containerd/proto';
const generated = 'src/runtime/containerd/generated';
mkdirSync(`${root}${generated}`, { recursive: true });
const protos = readdirSync(`${root}${protoDir}`).filter((file) => file.endsWith('.proto')).map((file) => `${protoDir}/${file}`);
run(bin('pbjs'), ['-t', 'json', '--keep-case', '-p', protoDir, ...protos, '-o', `${generated}/containerd.json`]);
// The codecs as plain functions (what protobufjs would generate with new Function() at run time,
// ~50 ms of every command's CPU), compiled into the bundle's code cache with the rest of berth.
run(bin('pbjs'), ['-t', 'static-module', '-w', 'commonjs', '--keep-case', '--no-verify', '--no-delimited', '--no-service', '--no-comments', '--no-typeurl', '-p', protoDir, ...protos, '-o', `${generated}/messages.cjs`]);
writeFileSync(`${root}${generated}/messages.d.cts`, '/** protobufjs static codecs of berth\'s protos, nested by package (pbjs -t static-module) */\ndeclare const messages: { readonly [name: string]: unknown };\nexport = messages;\n');
// Each service's methods: their request and response types' full names.
{
  const reflection = protobuf.Root.fromJSON(JSON.parse(readFileSync(`${root}${generated}/containerd.json`, 'utf8')));
  const services = {};
  const visit = (namespace) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Service) {
        services[nested.fullName.slice(1)] = Object.fromEntries(
          nested.methodsArray.map((method) => {
            method.resolve();
            return [method.name, [method.resolvedRequestType.fullName.slice(1), method.resolvedResponseType.fullName.slice(1)]];
          }),
        );
      } else if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(reflection);
  writeFileSync(`${root}${generated}/methods.json`, `${JSON.stringify(services, null, 1)}\n`);
}

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
// oclif's own help modules, required by its error handling and flag definitions at load time, and
// Node modules that oclif and grpc-js require at load time but berth's paths never use (child_process,
// zlib, http: ~15 ms of Node's own module loading in every start)
const LAZY_INTERNAL = {
  '@oclif/core/lib/errors/handle.js': ['../help/index'],
  '@oclif/core/lib/flags.js': ['./help'],
  '@oclif/core/lib/util/os.js': ['node:child_process'],
  '@oclif/core/lib/parser/parse.js': ['node:readline'],
  '@oclif/core/lib/performance.js': ['node:perf_hooks'],
  // grpc-js: berth is a client on a unix socket; the server side, compression, proxies and DNS
  // load only if something asks for them
  '@grpc/grpc-js/build/src/index.js': ['./server', './server-credentials', './server-interceptors', './admin', './orca'],
  '@grpc/grpc-js/build/src/compression-filter.js': ['zlib'],
  '@grpc/grpc-js/build/src/http_proxy.js': ['http'],
  '@grpc/grpc-js/build/src/resolver-dns.js': ['dns'],
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
/** One CommonJS bundle for Node 20 (minified unless BERTH_NO_MINIFY=1), with `options` of its own. */
const nodeBundle = (entry, outfile, options = {}) =>
  build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: process.env.BERTH_NO_MINIFY !== '1',
    logLevel: 'warning',
    ...options,
  });

// The log driver process (one per running container): its own small bundle, without oclif or gRPC,
// and CommonJS, which spares Node's ESM loader (1.6 MB of RSS in every logger).
await nodeBundle('src/logger/main.ts', 'dist/logger.cjs');

// undici, the registry client's HTTP, is a fifth of the CLI's code and only pull, push and login
// use it: a bundle of its own, required by the CLI on first use. Every start reads the CLI's whole
// text (and copies it into a string), so these bytes cost every command, not only the registry's.
await nodeBundle('node_modules/undici/index.js', 'dist/undici.cjs');
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.cjs', external: true }));
  },
};

// The CLI: one CommonJS bundle, because Node 20 caches no compiled code of its own and V8 takes
// a code cache only for a classic script: bin/run.js compiles it with the cache made below.
// Modules behind dynamic import() are still evaluated only when a command asks for them.
await nodeBundle('src/main.ts', 'dist/berth.cjs', {
  sourcemap: 'linked',
  keepNames: true,
  plugins: [lazyRequires, undiciApart],
  alias: { 'wsl-utils': './src/cli/shims/wsl-utils.ts', '@grpc/proto-loader': './src/cli/shims/grpc-proto-loader.ts' },
  define: { BERTH_VERSION: JSON.stringify(version), BERTH_GIT_COMMIT: JSON.stringify(commit), 'import.meta.url': '__berthModuleUrl' },
  // the CommonJS wrapper, written out: bin/load-bundle.cjs compiles the file's text as it is
  banner: { js: "(function (exports, require, module, __filename, __dirname) {\nvar __berthModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
});
// import() left in the bundle (a Node module, which esbuild does not bundle) would fail under
// bin/load-bundle.cjs; oclif's and tsx's own import() of ESM files are never reached by berth.
// (Unminified, JSDoc types such as {import('node:sqlite').X} stay in comments: the check needs the minified text.)
const dynamicImports = process.env.BERTH_NO_MINIFY === '1' ? null : readFileSync(`${root}dist/berth.cjs`, 'latin1').match(/\bimport\(\s*["'`]node:[^"'`]+["'`]\s*\)/g);
if (dynamicImports) throw new Error(`dist/berth.cjs: import() of Node modules (use a static import): ${[...new Set(dynamicImports)].join(', ')}`);
// oclif's explicit command strategy (package.json: oclif.commands) requires a module
writeFileSync(`${root}dist/commands.cjs`, "module.exports = require('../bin/load-bundle.cjs').loadBundle().exports;\n");

// The code cache: V8's bytecode for what the commands below compiled, each run adding to what
// the one before left (BERTH_CODE_CACHE=write). No containerd is needed: the commands get as
// far as their first call to it, which is what every start compiles. A cache V8 rejects (another
// node) only costs the compile; bin/run.js then writes a fresh one.
// (No registry command: the registry client sets a V8 flag, and a cache stamped with it would be
// refused at every start; such a process writes none.)
const codeCacheRuns = [['ps', '-a'], ['images'], ['run', '--rm', 'x', 'true'], ['inspect', 'x'], ['logs', 'x'], ['exec', 'x', 'true'], ['rm', '-f', 'x']];
const noConfig = `${root}dist/.code-cache.toml`;
writeFileSync(noConfig, '');
for (const args of codeCacheRuns) {
  spawnSync(process.execPath, ['--', `${root}bin/run.js`, ...args], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, BERTH_CODE_CACHE: 'write', CONTAINERD_ADDRESS: `${root}dist/.no-containerd.sock`, BERTH_TOML: noConfig },
  });
}
rmSync(noConfig);
if (!existsSync(`${root}dist/berth.cjs.cache`)) throw new Error('no code cache was written (dist/berth.cjs.cache)');
// A cache V8 would refuse is written without a word and costs every start ~100 ms: check it.
const accepted = spawnSync(process.execPath, ['-e', `
  const { readFileSync } = require('node:fs');
  const { Script } = require('node:vm');
  const bundle = ${JSON.stringify(`${root}dist/berth.cjs`)};
  const script = new Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData: readFileSync(bundle + '.cache') });
  process.exit(script.cachedDataRejected ? 1 : 0);
`]);
if (accepted.status !== 0) throw new Error('V8 refuses the code cache the build wrote (dist/berth.cjs.cache)');

run(bin('oclif'), ['manifest']);
run(bin('tsc'), ['--noEmit', '-p', '.']);
