// Containers, on a private containerd and registry (the test world), alternating runs:
//  (a) `berth run --rm --network none IMG true` against `ctr run --rm IMG ID true` (and podman
//      when installed): target berth − ctr ≤ 120 ms on the medians; and on berth's default bridge
//      (CNI included) against the same ctr run without a network: target ≤ 300 ms (issue 6);
//      `ctr run --rm --seccomp` shows what a seccomp profile (berth applies Docker's) costs runc,
//      `node -e 0` what Node's own start costs on this machine;
//  (b) `berth ps -a` against `ctr containers ls` + `ctr tasks ls` with 10 and with 300
//      containers: target (berth300 − berth10) / (ctr300 − ctr10) ≤ 1.5. Both list the same
//      berth-made containers: containerd's own cost of a listing grows with the records' size,
//      and a berth container's spec (Docker's seccomp profile, ~11 KB) is ~4× a bare `ctr
//      containers create`'s, so ctr listing containers of its own would be lighter work;
//  (c) the RSS of the log driver of one running `run -d` container (goal ≤ 40 MB).
//
//   npm run bench:containers            (BENCH_RUNS=N for more or fewer timed runs)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compare, type Contender } from './lib.js';
import { startWorld } from '../test/world/world.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FEW = 10;
const MANY = 300;
const PARALLEL = 6;

const berthBin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const world = await startWorld();
try {
  const image = world.fixtures.single.ref;
  const env = { ...process.env, CONTAINERD_ADDRESS: world.address, BERTH_TOML: world.berthToml, DOCKER_CONFIG: world.dockerConfig };
  const ctrArgs = (namespace: string, ...args: string[]) => ['ctr', '--address', world.address, '-n', namespace, ...args];
  const berthArgs = (namespace: string, ...args: string[]) => [process.execPath, berthBin, '-n', namespace, ...args];
  const must = (argv: string[], options: { env?: NodeJS.ProcessEnv } = {}) => {
    const result = spawnSync(argv[0], argv.slice(1), { env: options.env ?? process.env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr}`);
    return result.stdout;
  };
  const uniqueId = () => `bench-${randomBytes(4).toString('hex')}`;

  must(ctrArgs('bench-ctr', 'images', 'pull', '--plain-http', image));
  must(berthArgs('bench-berth', 'pull', '-q', image), { env });

  // (a) one short container, start to finish
  const runContenders: Contender[] = [
    {
      name: 'ctr run --rm',
      // a fresh container ID for every run
      get argv() {
        return ctrArgs('bench-ctr', 'run', '--rm', '--runc-root', `${world.tmp}/runc`, '--fifo-dir', `${world.tmp}/fifo`, image, uniqueId(), 'true');
      },
    },
    { name: 'berth run --rm --network none', argv: berthArgs('bench-berth', 'run', '--rm', '--network', 'none', image, 'true'), env },
    // for scale: ctr with a seccomp profile (containerd's, like Docker's default that berth applies), which runc compiles at every start
    {
      name: 'ctr run --rm --seccomp',
      get argv() {
        return ctrArgs('bench-ctr', 'run', '--rm', '--seccomp', '--runc-root', `${world.tmp}/runc`, '--fifo-dir', `${world.tmp}/fifo`, image, uniqueId(), 'true');
      },
    },
    // issue 6: the default network, CNI's ADD and DEL included
    { name: 'berth run --rm (default bridge)', argv: berthArgs('bench-berth', 'run', '--rm', image, 'true'), env },
    // for scale: Node's own start, which every berth command pays before its first line and ctr's Go start does not
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  ];
  if (spawnSync('podman', ['--version']).status === 0) {
    must(['podman', 'pull', '--tls-verify=false', image]);
    runContenders.push({
      name: 'podman run --rm (runc)',
      argv: ['podman', '--runtime', 'runc', 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096', image, 'true'],
    });
  } else {
    console.log('podman: not installed, left out');
  }
  const [ctrRun, berthRun, ctrSeccompRun, berthBridgeRun, nodeStart] = compare('run --rm IMG true', runContenders, RUNS);
  const runOverhead = berthRun.median - ctrRun.median;
  console.log(`berth (--network none) − ctr: ${runOverhead.toFixed(1)} ms (target ≤ 120 ms) ${runOverhead <= 120 ? 'ok' : 'OVER'}`);
  console.log(`  of which the seccomp profile (ctr --seccomp − ctr): ${(ctrSeccompRun.median - ctrRun.median).toFixed(1)} ms; berth − ctr --seccomp: ${(berthRun.median - ctrSeccompRun.median).toFixed(1)} ms`);
  console.log(`  and Node's own start (node -e 0) is ${nodeStart.median.toFixed(1)} ms of berth's time on this machine`);
  const bridgeOverhead = berthBridgeRun.median - ctrRun.median;
  console.log(`berth (default bridge) − ctr (no network): ${bridgeOverhead.toFixed(1)} ms (target ≤ 300 ms) ${bridgeOverhead <= 300 ? 'ok' : 'OVER'}`);

  // (b) listing: berth's containers are berth-made, ctr's ctr-made; both sides list the same count
  const psContenders: Contender[] = [
    { name: 'ctr containers ls + tasks ls', argv: ['sh', '-c', `${ctrArgs('bench-ps-berth', 'containers', 'ls').join(' ')} >/dev/null && ${ctrArgs('bench-ps-berth', 'tasks', 'ls').join(' ')} >/dev/null`] },
    { name: 'berth ps -a', argv: berthArgs('bench-ps-berth', 'ps', '-a'), env },
  ];
  must(berthArgs('bench-ps-berth', 'pull', '-q', image), { env });
  await populate(FEW);
  const [ctrFew, berthFew] = compare(`ps -a with ${FEW} containers`, psContenders, RUNS);
  const began = Date.now();
  await populate(MANY);
  console.log(`(made ${MANY - FEW} more containers in ${((Date.now() - began) / 1000).toFixed(1)} s)`);
  const [ctrMany, berthMany] = compare(`ps -a with ${MANY} containers`, psContenders, RUNS);
  const berthExtra = berthMany.median - berthFew.median;
  const ctrExtra = ctrMany.median - ctrFew.median;
  // On a busy machine the run-to-run noise can exceed the difference itself; a ratio of such numbers means nothing.
  const verdict =
    berthExtra <= 0 ? 'ok (berth shows no extra time)' : ctrExtra <= 1 ? 'no ratio: ctr shows no extra time here (noise); rerun on a quieter machine' : `ratio ${(berthExtra / ctrExtra).toFixed(2)} (target ≤ 1.5) ${berthExtra / ctrExtra <= 1.5 ? 'ok' : 'OVER'}`;
  console.log(`extra for ${MANY} over ${FEW}: berth ${berthExtra.toFixed(1)} ms, ctr ${ctrExtra.toFixed(1)} ms: ${verdict}`);

  // (c) what a running container costs on the side: the log driver the shim started
  const id = must(berthArgs('bench-berth', 'run', '-d', image, 'sleep', '1000'), { env }).trim();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const loggers = loggerProcesses('bench-berth', id);
  if (loggers.length === 0) console.log('log driver: no process besides the container under its shim (none to measure)');
  for (const { pid, rssKb, command } of loggers) {
    console.log(`log driver pid ${pid} (${command}): RSS ${(rssKb / 1024).toFixed(1)} MB (goal ≤ 40 MB) ${rssKb / 1024 <= 40 ? 'ok' : 'OVER'}`);
  }
  must(berthArgs('bench-berth', 'rm', '-f', id), { env });

  /** Brings the ps namespace up to `count` containers, `PARALLEL` creations at a time. */
  async function populate(count: number): Promise<void> {
    const existing = (namespace: string) => must(ctrArgs(namespace, 'containers', 'ls', '-q')).split('\n').filter(Boolean).length;
    const jobs: string[][] = [];
    for (let index = existing('bench-ps-berth'); index < count; index += 1) jobs.push(berthArgs('bench-ps-berth', 'create', '--network', 'none', image, 'true'));
    await pool(jobs, PARALLEL, env);
  }

  /** Children of the container's shim other than the container's own processes: the log driver. */
  function loggerProcesses(namespace: string, containerId: string): { pid: number; rssKb: number; command: string }[] {
    const taskPid = Number(must(ctrArgs(namespace, 'tasks', 'ls')).split('\n').find((line) => line.startsWith(containerId))?.trim().split(/\s+/)[1]);
    const processes = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((entry) => {
        try {
          const status = readFileSync(`/proc/${entry}/status`, 'utf8');
          const field = (name: string) => new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1];
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return { pid: Number(entry), ppid: Number(field('PPid')), rssKb: Number(field('VmRSS') ?? 0), command };
        } catch {
          return undefined;
        }
      })
      .filter((entry) => entry !== undefined);
    const shim = processes.find((entry) => entry.pid === taskPid)?.ppid;
    return processes.filter((entry) => entry.ppid === shim && entry.pid !== taskPid && shim !== undefined);
  }
} finally {
  await world.stop();
}

/** Runs every argv, at most `width` at a time; fails on the first failure. */
async function pool(jobs: string[][], width: number, env: NodeJS.ProcessEnv): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const argv = jobs[next];
      next += 1;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.once('error', reject);
        child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}
