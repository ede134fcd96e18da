// Kubernetes' node view, on a private containerd (the test world) with pods made through its CRI
// plugin as the kubelet makes them: `berth -n k8s.io ps -a` against `ctr -n k8s.io containers ls`
// + `ctr -n k8s.io tasks ls` with 10 and with 200 containers (5 and 100 pods of two containers,
// sandboxes running, containers created and, with BENCH_START=1, started), alternating runs:
// target (berth200 − berth10) / (ctr200 − ctr10) ≤ 1.5 on the medians.
//
//   npm run bench:k8s            (BENCH_RUNS=N for more or fewer timed runs)
import { fileURLToPath } from 'node:url';
import { compare, type Contender } from './lib.js';
import { CriClient, type Pod } from '../test/world/cri.js';
import { startWorld } from '../test/world/world.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const START = process.env.BENCH_START === '1';
const FEW_PODS = 5;
const MANY_PODS = 100;
const PARALLEL = 4;

const berthBin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const world = await startWorld();
const cri = new CriClient(world.address);
try {
  const image = world.fixtures.single.ref;
  await cri.pullImage(image);
  const env = { ...process.env, CONTAINERD_ADDRESS: world.address, BERTH_TOML: world.berthToml, DOCKER_CONFIG: world.dockerConfig };
  const ctr = (...args: string[]) => ['ctr', '--address', world.address, '-n', 'k8s.io', ...args].join(' ');
  const contenders: Contender[] = [
    { name: 'ctr containers ls + tasks ls', argv: ['sh', '-c', `${ctr('containers', 'ls')} >/dev/null && ${ctr('tasks', 'ls')} >/dev/null`] },
    { name: 'berth -n k8s.io ps -a', argv: [process.execPath, berthBin, '-n', 'k8s.io', 'ps', '-a'], env },
  ];

  const pods: Pod[] = [];
  /** Brings the node up to `count` pods of two containers each, `PARALLEL` pods at a time. */
  const populate = async (count: number) => {
    const began = Date.now();
    let next = pods.length;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const pod = await cri.runPod({ name: `bench-${index}`, namespace: 'bench', logDirectory: `${world.tmp}/pods/bench-${index}` });
        pods.push(pod);
        for (const name of ['app', 'sidecar']) {
          const options = { name, image, command: ['sleep', '100000'] };
          await (START ? cri.runContainer(pod, options) : cri.createContainer(pod, options));
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`(${count} pods, ${count * 2} containers ${START ? 'running' : 'created'}, in ${((Date.now() - began) / 1000).toFixed(1)} s)`);
  };

  await populate(FEW_PODS);
  const [ctrFew, berthFew] = compare(`k8s.io ps -a with ${FEW_PODS * 2} containers`, contenders, RUNS);
  await populate(MANY_PODS);
  const [ctrMany, berthMany] = compare(`k8s.io ps -a with ${MANY_PODS * 2} containers`, contenders, RUNS);
  const berthExtra = berthMany.median - berthFew.median;
  const ctrExtra = ctrMany.median - ctrFew.median;
  // On a busy machine the run-to-run noise can exceed the difference itself; a ratio of such numbers means nothing.
  const verdict =
    berthExtra <= 0 ? 'ok (berth shows no extra time)' : ctrExtra <= 1 ? 'no ratio: ctr shows no extra time here (noise); rerun on a quieter machine' : `ratio ${(berthExtra / ctrExtra).toFixed(2)} (target ≤ 1.5) ${berthExtra / ctrExtra <= 1.5 ? 'ok' : 'OVER'}`;
  console.log(`extra for ${MANY_PODS * 2} over ${FEW_PODS * 2} containers: berth ${berthExtra.toFixed(1)} ms, ctr ${ctrExtra.toFixed(1)} ms: ${verdict}`);
} finally {
  cri.close();
  // the world's teardown kills every task in every namespace, sandboxes included
  await world.stop();
}
