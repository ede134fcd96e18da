// Networking on the default bridge: CNI with the real plugins, published ports reached from the
// host on 127.0.0.1, and everything a container held released by rm. Traffic goes only to
// 127.0.0.1 and to containers on berth's bridge.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { berth, inFreshNamespace, world } from './harness.js';
import { eventually, fetchText, lines, scene } from './containers-kit.js';
import { runProcess } from '../world/world.js';

/** A host port nothing listens on now, from the ephemeral range's top. */
function somePort(): number {
  return 40000 + Math.floor(Math.random() * 10000);
}

async function berthRules(): Promise<string[]> {
  const saved = await runProcess('iptables-save', []);
  assert.equal(saved.code, 0, saved.stderr);
  return lines(saved.stdout).filter((line) => line.startsWith('-A') && /CNI|cni/.test(line));
}

/** berth's outbound NAT for a subnet: one POSTROUTING rule per network, none per container */
async function masqueradeRules(subnet: string): Promise<string[]> {
  const listed = await runProcess('iptables', ['-t', 'nat', '-S', 'POSTROUTING']);
  assert.equal(listed.code, 0, listed.stderr);
  return lines(listed.stdout).filter((line) => line.includes(`-s ${subnet}`) && line.includes('-j MASQUERADE'));
}

async function entries(directory: string): Promise<string[]> {
  return readdir(directory).catch(() => []);
}

/**
 * What a reboot takes from a stopped container on a network: its namespace (/run/netns), berth's
 * record of its attachments and host-local's lease of its address (/run/berth), and the rules
 * CNI's plugins made for it (iptables).
 */
async function forgetNetworkState(id: string): Promise<void> {
  const deleted = await runProcess('ip', ['netns', 'delete', `berth-${id}`]);
  assert.equal(deleted.code, 0, deleted.stderr);
  await rm(`/run/berth/attachments/${id}.json`, { force: true });
  for (const network of await entries('/run/berth/ipam')) {
    for (const file of await entries(`/run/berth/ipam/${network}`)) {
      const lease = `/run/berth/ipam/${network}/${file}`;
      if ((await readFile(lease, 'utf8').catch(() => '')).startsWith(id)) await rm(lease);
    }
  }
  for (const table of ['nat', 'filter']) {
    const saved = await runProcess('iptables-save', ['-t', table]);
    const rules = lines(saved.stdout).filter((line) => line.startsWith('-A ') && line.includes(id));
    if (rules.length === 0) continue;
    // portmap's chains of the container's own (their rules name only its address)
    const chains = [...new Set(rules.flatMap((rule) => /-j (CNI-DN-[0-9a-f]+)/.exec(rule)?.[1] ?? []))];
    const commands = [...rules.map((rule) => `-D ${rule.slice(3)}`), ...chains.flatMap((chain) => [`-F ${chain}`, `-X ${chain}`])];
    // iptables-restore reads the rules' quoted comments as iptables-save wrote them
    const removed = await runProcess('iptables-restore', ['--noflush'], { input: `*${table}\n${commands.join('\n')}\nCOMMIT\n` });
    assert.equal(removed.code, 0, removed.stderr);
  }
}

describe('the default bridge', () => {
  it('publishes a port on 127.0.0.1: the page is served, port and ps show it, a second claim fails before start (in another namespace too)', async () => {
    await scene(async ({ b, img }) => {
      const port = somePort();
      const run = await b(['run', '-d', '--name', 'web', '--network', 'bridge', '-p', `127.0.0.1:${port}:80`, img, 'httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(run.code, 0, run.stderr);
      const page = await eventually('the page on the published port', () => fetchText(`http://127.0.0.1:${port}/`), 15_000);
      assert.equal(page, 'hello from berth fixture\n');

      assert.equal((await b(['port', 'web'])).stdout, `80/tcp -> 127.0.0.1:${port}\n`);
      assert.equal((await b(['port', 'web', '80'])).stdout, `127.0.0.1:${port}\n`);
      const ps = await b(['ps', '--format', '{{.Names}} {{.Ports}}']);
      assert.match(ps.stdout, new RegExp(`^web 127\\.0\\.0\\.1:${port}->80/tcp$`, 'm'));
      const inspect = await b(['inspect', '--format', '{{json .NetworkSettings.Ports}}|{{.NetworkSettings.IPAddress}}|{{.HostConfig.NetworkMode}}', 'web']);
      const [ports, ip, mode] = inspect.stdout.trim().split('|');
      assert.deepEqual(JSON.parse(ports), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
      assert.match(ip, /^10\.213\.\d+\.\d+$/);
      assert.equal(mode, 'bridge');
      // the container's own address serves too: the host reaches the bridge
      assert.equal(await fetchText(`http://${ip}/`), 'hello from berth fixture\n');

      const again = await b(['run', '-d', '--network', 'bridge', '-p', `${port}:80`, img, 'true']);
      assert.equal(again.code, 125);
      assert.match(again.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
      await inFreshNamespace('net-other', async (other) => {
        const pulled = await berth(['-n', other, 'pull', '-q', img]);
        assert.equal(pulled.code, 0, pulled.stderr);
        const elsewhere = await berth(['-n', other, 'run', '--network', 'bridge', '-p', `127.0.0.1:${port}:80`, img, 'true']);
        assert.equal(elsewhere.code, 125);
        assert.match(elsewhere.stderr, /port is already allocated/);
        const left = await runProcess('ctr', ['--address', world().address, '-n', other, 'containers', 'ls', '-q']);
        assert.equal(left.stdout, '', 'the refused container is not left behind');
      });
      assert.equal((await b(['rm', '-f', 'web'])).code, 0);
    });
  });

  it('publishes a port on [::1] (an IPv6 host address) through the container\'s logger, for as long as the container runs', async () => {
    await scene(async ({ b, img }) => {
      const port = somePort();
      const run = await b(['run', '-d', '--name', 'web6', '-p', `[::1]:${port}:80`, img, 'httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await eventually('the page on [::1]', () => fetchText(`http://[::1]:${port}/`), 15_000), 'hello from berth fixture\n');
      assert.equal((await b(['port', 'web6'])).stdout, `80/tcp -> [::1]:${port}\n`);
      assert.equal((await b(['stop', '-t', '1', 'web6'])).code, 0);
      await eventually('nothing listening on [::1] once stopped', async () => (await fetchText(`http://[::1]:${port}/`)) === undefined, 10_000);
      assert.equal((await b(['start', 'web6'])).code, 0);
      assert.equal(await eventually('the page again after start', () => fetchText(`http://[::1]:${port}/`), 15_000), 'hello from berth fixture\n');
      const udp = await b(['run', '--rm', '-p', `[::1]:${port}:53/udp`, img, 'true']);
      assert.equal(udp.code, 125);
      assert.match(udp.stderr, /publishing 53\/udp on an IPv6 address/);
      assert.equal((await b(['rm', '-f', 'web6'])).code, 0);
    });
  });

  it('a port another program holds fails before the container starts, naming the port', async () => {
    await scene(async ({ b, img }) => {
      const { createServer } = await import('node:net');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const run = await b(['run', '--network', 'bridge', '-p', `127.0.0.1:${port}:80`, img, 'true']);
        assert.equal(run.code, 125);
        assert.match(run.stderr, new RegExp(`listen tcp4 127\\.0\\.0\\.1:${port}: bind: address already in use`));
      } finally {
        server.close();
      }
    });
  });

  it('--network none shows only lo; the default network (bridge) gives eth0 with an address of the bridge', async () => {
    await scene(async ({ b, img }) => {
      const none = await b(['run', '--rm', '--network', 'none', img, 'ls', '/sys/class/net']);
      assert.deepEqual(lines(none.stdout), ['lo']);
      const bridged = await b(['run', '--rm', img, 'sh', '-c', 'ls /sys/class/net; ip -4 -o addr show eth0']);
      assert.equal(bridged.code, 0, bridged.stderr);
      assert.deepEqual(lines(bridged.stdout).slice(0, 2), ['eth0', 'lo']);
      assert.match(bridged.stdout, /inet 10\.213\.\d+\.\d+\/16/);
    });
  });

  it('-p under --network none is refused; with --network host it is dropped with Docker\'s warning', async () => {
    await scene(async ({ b, img }) => {
      const none = await b(['run', '--rm', '--network', 'none', '-p', '80', img, 'true']);
      assert.equal(none.code, 125);
      assert.match(none.stderr, /published ports need a network/);
      const host = await b(['run', '--rm', '--network', 'host', '-p', '80', img, 'true']);
      assert.equal(host.code, 0, host.stderr);
      assert.match(host.stderr, /WARNING: Published ports are discarded when using host network mode/);
    });
  });

  it('8 parallel runs get 8 distinct addresses; rm -f of all leaves no netns, lease or rule of theirs', async () => {
    await scene(async ({ b, img }) => {
      const rulesBefore = await berthRules();
      const netnsBefore = await entries('/run/netns');
      const leasesBefore = await entries('/run/berth/ipam/bridge');
      const runs = await Promise.all(
        Array.from({ length: 8 }, (_, index) => b(['run', '-d', '--network', 'bridge', '-p', `127.0.0.1::${8000 + index}`, img, 'sleep', '300'])),
      );
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const ids = runs.map((run) => run.stdout.trim());
      const addresses = await Promise.all(ids.map(async (id) => (await b(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim()));
      assert.equal(new Set(addresses).size, 8, `addresses: ${addresses.join(' ')}`);
      assert.ok((await berthRules()).length > rulesBefore.length, 'the port mappings added rules');
      assert.equal((await b(['rm', '-f', ...ids])).code, 0);
      assert.deepEqual(await berthRules(), rulesBefore);
      assert.deepEqual(await entries('/run/netns'), netnsBefore);
      assert.deepEqual(await entries('/run/berth/ipam/bridge'), leasesBefore);
      for (const id of ids) assert.ok(!(await entries('/run/berth/attachments')).includes(`${id}.json`));
    });
  });

  it('after a reboot (namespace, address lease and rules gone) start makes the network again: the published port serves, /etc/hosts has the address', async () => {
    await scene(async ({ b, img }) => {
      const port = somePort();
      const run = await b(['run', '-d', '--name', 'rebooted', '-p', `127.0.0.1:${port}:80`, img, 'httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(run.code, 0, run.stderr);
      const id = (await b(['inspect', '--format', '{{.Id}}', 'rebooted'])).stdout.trim();
      assert.equal((await b(['stop', '-t', '1', 'rebooted'])).code, 0);
      await forgetNetworkState(id);
      assert.equal(existsSync(`/run/netns/berth-${id}`), false);

      const started = await b(['start', 'rebooted']);
      assert.equal(started.code, 0, started.stderr);
      assert.equal(await eventually('the page on the published port after the start', () => fetchText(`http://127.0.0.1:${port}/`), 15_000), 'hello from berth fixture\n');
      const ip = (await b(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'rebooted'])).stdout.trim();
      assert.match(ip, /^10\.213\.\d+\.\d+$/);
      const hosts = await b(['exec', 'rebooted', 'cat', '/etc/hosts']);
      assert.match(hosts.stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`, 'm'));
      assert.equal((await b(['port', 'rebooted'])).stdout, `80/tcp -> 127.0.0.1:${port}\n`);

      assert.equal((await b(['rm', '-f', 'rebooted'])).code, 0);
      assert.equal(existsSync(`/run/netns/berth-${id}`), false);
      assert.deepEqual((await berthRules()).filter((rule) => rule.includes(id)), [], 'no rule of the container is left');
    });
  });

  it('run --rm on the bridge leaves nothing behind', async () => {
    await scene(async ({ b, img }) => {
      const netnsBefore = await entries('/run/netns');
      const run = await b(['run', '--rm', '--network', 'bridge', '-p', '127.0.0.1::80', img, 'true']);
      assert.equal(run.code, 0, run.stderr);
      await eventually('the netns is gone', async () => (await entries('/run/netns')).length === netnsBefore.length);
      assert.equal((await b(['ps', '-aq'])).stdout, '');
    });
  });
});

describe('--network container:', () => {
  it('shares a running container\'s network stack, hostname and /etc files; refuses its own ports and a stopped donor', async () => {
    await scene(async ({ b, img }) => {
      const donor = await b(['run', '-d', '--name', 'donor', img, 'httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(donor.code, 0, donor.stderr);
      const donorId = donor.stdout.trim();
      await eventually('the donor serving', async () => (await b(['exec', 'donor', 'wget', '-qO-', 'http://127.0.0.1/'])).code === 0, 15_000);
      // the donor's loopback, address and hostname are the joiner's
      const joined = await b(['run', '--rm', '--network', 'container:donor', img, 'sh', '-c', 'wget -qO- http://127.0.0.1/; hostname; ip -4 -o addr show eth0']);
      assert.equal(joined.code, 0, joined.stderr);
      const [page, hostname, address] = lines(joined.stdout);
      assert.equal(page, 'hello from berth fixture');
      assert.equal(hostname, donorId.slice(0, 12));
      const donorIp = (await b(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'donor'])).stdout.trim();
      assert.match(address, new RegExp(`inet ${donorIp.replaceAll('.', '\\.')}/`));

      const kept = await b(['create', '--name', 'joiner', '--network', 'container:donor', img, 'true']);
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal((await b(['inspect', '--format', '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}', 'joiner'])).stdout.trim(), `container:${donorId} {}`);

      const ports = await b(['run', '--rm', '--network', 'container:donor', '-p', '8080:80', img, 'true']);
      assert.equal(ports.code, 125);
      assert.match(ports.stderr, /conflicting options: port publishing and the container type network mode/);
      assert.equal((await b(['stop', '-t', '1', 'donor'])).code, 0);
      const stopped = await b(['run', '--rm', '--network', 'container:donor', img, 'true']);
      assert.equal(stopped.code, 125);
      assert.match(stopped.stderr, new RegExp(`cannot join network of a non running container: ${donorId}`));
      assert.equal((await b(['rm', '-f', 'joiner', 'donor'])).code, 0);
    });
  });
});

describe('user networks', () => {
  it('members reach each other by name and alias; inspect lists them; disconnect removes the interface; rm waits for the last member', async () => {
    await scene(async ({ b, img }) => {
      const net = `net${Date.now().toString(36)}`;
      let subnet: string | undefined;
      const created = await b(['network', 'create', '--label', 'team=x', net]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
      try {
        assert.match((await b(['network', 'ls', '--filter', `name=${net}`, '--format', '{{.Name}} {{.Driver}} {{.Labels}}'])).stdout, new RegExp(`^${net} bridge team=x$`, 'm'));
        const srv = await b(['run', '-d', '--name', 'srv', '--network', net, '--network-alias', 'www', img, 'httpd', '-f', '-p', '80', '-h', '/www']);
        assert.equal(srv.code, 0, srv.stderr);
        const fetched = await b(['run', '--rm', '--name', 'cli', '--network', net, img, 'sh', '-c', 'wget -qO- http://srv/ && wget -qO- http://www/']);
        assert.equal(fetched.code, 0, fetched.stderr);
        assert.equal(fetched.stdout, 'hello from berth fixture\nhello from berth fixture\n');

        const other = await b(['run', '-d', '--name', 'other', '--network', 'bridge', img, 'sleep', '300']);
        assert.equal(other.code, 0, other.stderr);
        assert.equal((await b(['network', 'connect', '--alias', 'peer', net, 'other'])).code, 0);
        assert.deepEqual(lines((await b(['exec', 'other', 'ls', '/sys/class/net'])).stdout), ['eth0', 'eth1', 'lo']);
        assert.equal((await b(['exec', 'srv', 'sh', '-c', 'wget -qO- http://peer:1/ 2>&1; ping -c1 -W2 peer >/dev/null && echo reached'])).stdout.trim().split('\n').at(-1), 'reached');

        const inspect = JSON.parse((await b(['network', 'inspect', net])).stdout) as [{ Name: string; Containers: Record<string, { Name: string; IPv4Address: string }>; IPAM: { Config: { Subnet: string }[] } }];
        assert.equal(inspect[0].Name, net);
        assert.deepEqual(Object.values(inspect[0].Containers).map((container) => container.Name).sort(), ['other', 'srv']);
        assert.match(inspect[0].IPAM.Config[0].Subnet, /^10\.214\.\d+\.0\/24$/);
        subnet = inspect[0].IPAM.Config[0].Subnet;
        const masquerade = await masqueradeRules(subnet);
        assert.equal(masquerade.length, 1, `one masquerade rule for ${subnet} with two members: ${masquerade.join(' | ')}`);
        assert.match(masquerade[0], /! -o br-[0-9a-f]{12} /);

        assert.equal((await b(['network', 'disconnect', net, 'other'])).code, 0);
        assert.deepEqual(lines((await b(['exec', 'other', 'ls', '/sys/class/net'])).stdout), ['eth0', 'lo']);
        assert.doesNotMatch((await b(['exec', 'srv', 'cat', '/etc/hosts'])).stdout, /\bpeer\b/);

        const busy = await b(['network', 'rm', net]);
        assert.equal(busy.code, 1);
        assert.match(busy.stderr, /has active endpoints/);
        assert.equal((await b(['rm', '-f', 'srv', 'other'])).code, 0);
      } finally {
        await b(['rm', '-f', 'srv', 'other']);
        const removed = await b(['network', 'rm', net]);
        assert.equal(removed.code, 0, removed.stderr);
      }
      assert.doesNotMatch((await b(['network', 'ls'])).stdout, new RegExp(net));
      assert.deepEqual(await masqueradeRules(subnet!), [], 'network rm takes its masquerade rule away');
      assert.equal((await b(['network', 'rm', 'bridge'])).code, 1);
    });
  });

  it('--ip takes a static address on a user network; the default bridge refuses it as Docker does', async () => {
    await scene(async ({ b, img }) => {
      const net = `ipnet${Date.now().toString(36)}`;
      assert.equal((await b(['network', 'create', '--subnet', '10.214.200.0/24', net])).code, 0);
      try {
        const run = await b(['run', '--rm', '--network', net, '--ip', '10.214.200.77', img, 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /inet 10\.214\.200\.77\/24/);
        const refused = await b(['run', '--rm', '--network', 'bridge', '--ip', '10.213.0.77', img, 'true']);
        assert.equal(refused.code, 125);
        assert.match(refused.stderr, /user specified IP address is supported on user defined networks only/);
        const overlap = await b(['network', 'create', '--subnet', '10.214.200.128/25', `${net}x`]);
        assert.equal(overlap.code, 1);
        assert.match(overlap.stderr, /Pool overlaps/);
      } finally {
        assert.equal((await b(['network', 'rm', net])).code, 0);
      }
    });
  });
});

describe('DNS and hosts', () => {
  it('--dns, --dns-search, --dns-option, --add-host (host-gateway too) and the container\'s own name', async () => {
    await scene(async ({ b, img }) => {
      const run = await b([
        'run', '--rm', '--name', 'named', '--network', 'bridge', '--dns', '10.9.9.9', '--dns-search', 'corp.example', '--dns-option', 'ndots:3',
        '--add-host', 'db:10.1.2.3', '--add-host', 'gw:host-gateway', img, 'sh', '-c', 'cat /etc/resolv.conf /etc/hosts; ping -c1 -W2 gw >/dev/null && echo gateway-reached',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^nameserver 10\.9\.9\.9$/m);
      assert.match(run.stdout, /^search corp\.example$/m);
      assert.match(run.stdout, /^options ndots:3$/m);
      assert.match(run.stdout, /^10\.1\.2\.3\tdb$/m);
      assert.match(run.stdout, /^10\.213\.0\.1\tgw$/m);
      assert.match(run.stdout, /^10\.213\.\d+\.\d+\t[0-9a-f]{12} named$/m);
      assert.match(run.stdout, /gateway-reached/);
      const bad = await b(['run', '--rm', '--add-host', 'nocolon', img, 'true']);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /bad format for add-host/);
    });
  });
});
