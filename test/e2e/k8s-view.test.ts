// berth as a Kubernetes node admin's view: pods and containers made through the CRI (as the
// kubelet makes them) in containerd's `k8s.io` namespace, seen with `berth -n k8s.io …`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { berth, uniqueName, world } from './harness.js';
import { Background, eventually, lines, Terminal } from './containers-kit.js';
import { CriClient, withPod, type Pod } from '../world/cri.js';

const NS = ['-n', 'k8s.io'];
const K8S_NAMESPACE = 'team-a';

let client: CriClient | undefined;
async function cri(): Promise<CriClient> {
  if (!client) {
    client = new CriClient(world().address);
    await client.pullImage(world().fixtures.single.ref);
  }
  return client;
}
test.after(() => client?.close());

/**
 * Runs `work` with a fresh pod of two running containers: `web` prints a line to each stream
 * and then one more line for every file /tmp/tick-N that appears, ending at /tmp/stop; `side`
 * sleeps. The pod is stopped and removed afterwards whatever happens.
 */
async function withTwoContainers(work: (pod: Pod, ids: { web: string; side: string }) => Promise<void>): Promise<void> {
  const c = await cri();
  const image = world().fixtures.single.ref;
  const web = [
    'echo hello-out; echo hello-err >&2; n=1',
    'while [ ! -e /tmp/stop ]; do if [ -e /tmp/tick-$n ]; then echo tick-$n; n=$((n+1)); fi; sleep 0.1; done',
    'echo bye',
  ].join('; ');
  await withPod(c, world().tmp, { name: uniqueName('pod'), namespace: K8S_NAMESPACE }, async (pod) => {
    const ids = {
      web: await c.runContainer(pod, { name: 'web', image, command: ['sh', '-c', web] }),
      side: await c.runContainer(pod, { name: 'side', image, command: ['sleep', '100000'] }),
    };
    await work(pod, ids);
  });
}

const nameOf = (pod: Pod, container?: string) => `k8s://${pod.namespace}/${pod.name}${container ? `/${container}` : ''}`;

test('ps in k8s.io lists the containers by their k8s:// names, the sandbox only with -a; other namespaces do not show them', async () => {
  await withTwoContainers(async (pod, ids) => {
    const ps = await berth([...NS, 'ps', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Command}}']);
    assert.equal(ps.code, 0, ps.stderr);
    const rows = lines(ps.stdout).filter((line) => line.includes(pod.name));
    const image = world().fixtures.single.ref;
    assert.equal(rows.length, 2, ps.stdout);
    assert.ok(rows.includes(`${ids.side} ${nameOf(pod, 'side')} ${image} "sleep 100000"`), ps.stdout);
    // COMMAND from the spec's process args: CRI's containers have no berth labels
    assert.ok(rows.some((row) => row.startsWith(`${ids.web} ${nameOf(pod, 'web')} ${image} "sh -c 'echo hello-out; echo hello-err >&2;`)), ps.stdout);
    assert.ok(!ps.stdout.includes(pod.id), 'the sandbox is not listed without -a');

    const all = await berth([...NS, 'ps', '-a', '--format', '{{.Names}}']);
    assert.ok(lines(all.stdout).includes(nameOf(pod)), all.stdout);

    const table = await berth([...NS, 'ps']);
    assert.match(table.stdout, new RegExp(`${ids.web.slice(0, 12)} .*Up .*${nameOf(pod, 'web')}`));

    const elsewhere = await berth(['ps', '-a', '--no-trunc']);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    for (const id of [ids.web, ids.side, pod.id]) assert.ok(!elsewhere.stdout.includes(id), elsewhere.stdout);
  });
});

test('ps filters by pod and Kubernetes namespace and shows pod fields in templates', async () => {
  await withTwoContainers(async (pod) => {
    const fields = '{{.PodNamespace}}/{{.PodName}}/{{.ContainerName}}';
    for (const filter of [`pod=${pod.name}`, `label=io.kubernetes.pod.name=${pod.name}`]) {
      const ps = await berth([...NS, 'ps', '--filter', filter, '--format', fields]);
      assert.equal(ps.code, 0, ps.stderr);
      assert.deepEqual(lines(ps.stdout).sort(), [`${K8S_NAMESPACE}/${pod.name}/side`, `${K8S_NAMESPACE}/${pod.name}/web`]);
    }
    const inNamespace = await berth([...NS, 'ps', '-q', '--filter', `k8s-namespace=${K8S_NAMESPACE}`, '--filter', `pod=${pod.name}`]);
    assert.equal(lines(inNamespace.stdout).length, 2, inNamespace.stdout);
    const otherNamespace = await berth([...NS, 'ps', '-q', '--filter', 'k8s-namespace=nowhere']);
    assert.equal(otherNamespace.stdout, '');
    const sandbox = await berth([...NS, 'ps', '--filter', 'label=io.cri-containerd.kind=sandbox', '--filter', `pod=${pod.name}`, '--format', '{{.Names}}']);
    assert.equal(sandbox.stdout.trim(), nameOf(pod));
    const json = await berth([...NS, 'ps', '--filter', `pod=${pod.name}`, '--format', '{{json .}}']);
    assert.equal(JSON.parse(lines(json.stdout)[0]).PodName, pod.name);
  });
});

test('logs of a CRI container: both streams, -t, --tail, and -f following until the container exits', async () => {
  await withTwoContainers(async (pod, ids) => {
    const web = nameOf(pod, 'web');
    const exec = (command: string) => berth([...NS, 'exec', web, 'sh', '-c', command]);
    await eventually('the first lines in the CRI log', async () => (await berth([...NS, 'logs', web])).stdout.includes('hello-out'));
    const logs = await berth([...NS, 'logs', web]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'hello-out\n');
    assert.equal(logs.stderr, 'hello-err\n');

    const stamped = await berth([...NS, 'logs', '-t', ids.web.slice(0, 12)]);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello-out\n$/);

    assert.equal((await exec('touch /tmp/tick-1')).code, 0);
    await eventually('tick-1 in the log', async () => (await berth([...NS, 'logs', web])).stdout.includes('tick-1'));
    const tail = await berth([...NS, 'logs', '--tail', '1', web]);
    assert.equal(tail.stdout, 'tick-1\n');
    assert.equal(tail.stderr, '');

    const following = new Background([...NS, 'logs', '-f', web]);
    await following.waitFor(/tick-1\n/);
    assert.equal((await exec('touch /tmp/tick-2')).code, 0);
    await following.waitFor(/tick-2\n/);
    assert.equal(following.ended, undefined, 'still following while the container runs');
    assert.equal((await exec('touch /tmp/stop')).code, 0);
    assert.equal(await following.exited, 0);
    assert.equal(following.stdout, 'hello-out\ntick-1\ntick-2\nbye\n');
  });
});

test('exec in a CRI container by its k8s:// name and ID prefix, with and without a terminal', async () => {
  await withTwoContainers(async (pod, ids) => {
    // a host-network pod has the node's hostname
    const byName = await berth([...NS, 'exec', nameOf(pod, 'side'), 'cat', '/etc/hostname']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.stdout.trim(), hostname());
    const byId = await berth([...NS, 'exec', ids.side.slice(0, 10), 'sh', '-c', 'exit 3']);
    assert.equal(byId.code, 3, byId.stderr);
    const terminal = await Terminal.open([...NS, 'exec', '-it', nameOf(pod, 'side'), 'sh']);
    await terminal.waitFor(/\/ # /);
    terminal.type('echo $((6*7)); exit 5\r');
    await terminal.waitFor(/42/);
    assert.equal(await terminal.exited, 5);
    const missing = await berth([...NS, 'exec', nameOf(pod, 'nothing'), 'true']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: k8s:\/\//);
  });
});

test('inspect of a CRI container shows its k8s:// name and its pod', async () => {
  await withTwoContainers(async (pod, ids) => {
    const inspect = await berth([...NS, 'inspect', nameOf(pod, 'web')]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const [info] = JSON.parse(inspect.stdout);
    assert.equal(info.Id, ids.web);
    assert.equal(info.Name, `/${nameOf(pod, 'web')}`);
    assert.deepEqual(info.Kubernetes, { Kind: 'container', PodName: pod.name, PodNamespace: K8S_NAMESPACE, PodUID: pod.uid, ContainerName: 'web', SandboxID: pod.id });
    assert.equal(info.Config.Labels['io.kubernetes.pod.name'], pod.name);
    assert.equal(info.Config.Labels['io.kubernetes.pod.namespace'], K8S_NAMESPACE);
    assert.match(info.LogPath, new RegExp(`^${pod.logDirectory}/web\\.log$`));
    assert.match(info.Image, /^sha256:[0-9a-f]{64}$/);
    assert.equal(info.State.Running, true);
    const sandbox = await berth([...NS, 'inspect', '--format', '{{.Kubernetes.Kind}} {{.Kubernetes.SandboxID}}', nameOf(pod)]);
    assert.equal(sandbox.stdout.trim(), `sandbox ${pod.id}`);
  });
});

test('pods lists the pod with its state and container count; -q and --format', async () => {
  await withTwoContainers(async (pod) => {
    const table = await berth([...NS, 'pods']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(lines(table.stdout)[0], /^POD ID +NAME +NAMESPACE +STATE +CREATED +CONTAINERS$/);
    assert.match(table.stdout, new RegExp(`^${pod.id.slice(0, 12)} +${pod.name} +${K8S_NAMESPACE} +Ready +.* ago +2$`, 'm'));
    const quiet = await berth([...NS, 'pod', 'ls', '-q', '--no-trunc']);
    assert.ok(lines(quiet.stdout).includes(pod.id), quiet.stdout);
    const format = await berth([...NS, 'pods', '--format', '{{.Name}} {{.Namespace}} {{.State}} {{.Containers}}']);
    assert.ok(lines(format.stdout).includes(`${pod.name} ${K8S_NAMESPACE} Ready 2`), format.stdout);
    const json = await berth([...NS, 'pods', '--format', '{{json .}}']);
    const row = lines(json.stdout).map((line) => JSON.parse(line)).find((entry) => entry.Name === pod.name);
    assert.equal(row.PodID, pod.id.slice(0, 12));
    assert.equal(row.UID, pod.uid);

    await (await cri()).stopPod(pod.id);
    const stopped = await berth([...NS, 'pods', '--format', '{{.Name}} {{.State}}']);
    assert.ok(lines(stopped.stdout).includes(`${pod.name} NotReady`), stopped.stdout);
  });
});
