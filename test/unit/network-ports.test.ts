import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { allocatePorts, parsePortSpec, parsePublish, portLines, portsColumn, publishAll, type PortMapping } from '../../src/runtime/network/ports.js';

const usageMessage = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof BerthError);
    assert.equal(error.category, 'usage');
    return error.message;
  }
  assert.fail('no error');
};

describe('-p as Docker reads it', () => {
  const cases: [string, { port: string; binding: { HostIp: string; HostPort: string } }[]][] = [
    ['80', [{ port: '80/tcp', binding: { HostIp: '', HostPort: '' } }]],
    ['8080:80', [{ port: '80/tcp', binding: { HostIp: '', HostPort: '8080' } }]],
    ['127.0.0.1:8080:80', [{ port: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '8080' } }]],
    ['127.0.0.1::80', [{ port: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '' } }]],
    ['8080:80/udp', [{ port: '80/udp', binding: { HostIp: '', HostPort: '8080' } }]],
    ['[::1]:8080:80', [{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]],
    ['::1:8080:80', [{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]],
    [
      '8000-8001:9000-9001',
      [
        { port: '9000/tcp', binding: { HostIp: '', HostPort: '8000' } },
        { port: '9001/tcp', binding: { HostIp: '', HostPort: '8001' } },
      ],
    ],
    ['8000-8010:80', [{ port: '80/tcp', binding: { HostIp: '', HostPort: '8000-8010' } }]],
    [
      '9000-9001',
      [
        { port: '9000/tcp', binding: { HostIp: '', HostPort: '' } },
        { port: '9001/tcp', binding: { HostIp: '', HostPort: '' } },
      ],
    ],
  ];
  for (const [raw, expected] of cases) {
    it(raw, () => assert.deepEqual(parsePortSpec(raw), expected));
  }

  it("refuses what Docker refuses, with Docker's words", () => {
    assert.equal(usageMessage(() => parsePortSpec('1.2.3:80:80')), 'invalid IP address: 1.2.3');
    assert.equal(usageMessage(() => parsePortSpec('8080:')), 'no port specified: 8080:<empty>');
    assert.equal(usageMessage(() => parsePortSpec('8080:http')), 'invalid containerPort: http');
    assert.equal(usageMessage(() => parsePortSpec('x:80')), 'invalid hostPort: x');
    assert.equal(usageMessage(() => parsePortSpec('80/icmp')), 'invalid proto: icmp');
    assert.equal(usageMessage(() => parsePortSpec('8000-8002:9000-9001')), 'invalid ranges specified for container and host Ports: 9000-9001 and 8000-8002');
  });

  it('gathers -p and --expose into ExposedPorts and PortBindings; -P adds what is exposed', () => {
    const spec = parsePublish(['127.0.0.1:8080:80', '8081:80'], ['53/udp']);
    assert.deepEqual(Object.keys(spec.exposed).sort(), ['53/udp', '80/tcp']);
    assert.deepEqual(spec.bindings['80/tcp'], [
      { HostIp: '127.0.0.1', HostPort: '8080' },
      { HostIp: '', HostPort: '8081' },
    ]);
    assert.deepEqual(publishAll(spec.bindings, ['80/tcp', '53/udp'])['53/udp'], [{ HostIp: '', HostPort: '' }]);
  });
});

describe('host ports', () => {
  const taken: PortMapping[] = [{ hostPort: 18123, containerPort: 80, protocol: 'tcp', hostIP: '' }];

  it('refuses a port another container holds, on any address when either side is 0.0.0.0', async () => {
    await assert.rejects(allocatePorts({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18123' }] }, taken), /Bind for 127\.0\.0\.1:18123 failed: port is already allocated/);
    // another protocol is another port
    const [udp] = await allocatePorts({ '80/udp': [{ HostIp: '127.0.0.1', HostPort: '18123' }] }, taken);
    assert.equal(udp.hostPort, 18123);
  });

  it('picks the next free port of a range and a free ephemeral one for an empty HostPort', async () => {
    const [ranged] = await allocatePorts({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18123-18125' }] }, taken);
    assert.equal(ranged.hostPort, 18124);
    const [ephemeral] = await allocatePorts({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, []);
    assert.ok(ephemeral.hostPort >= 1024);
  });
});

describe('ports shown', () => {
  const mappings: PortMapping[] = [
    { hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' },
    { hostPort: 9001, containerPort: 91, protocol: 'udp', hostIP: '' },
    { hostPort: 9000, containerPort: 90, protocol: 'udp', hostIP: '' },
  ];

  it("folds consecutive ports into ranges in ps' PORTS", () => {
    assert.equal(portsColumn(mappings, ['443/tcp']), '127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp, 443/tcp');
  });

  it('lists mappings for `port`, or the addresses of one port', () => {
    assert.deepEqual(portLines(mappings), ['80/tcp -> 127.0.0.1:8080', '90/udp -> 0.0.0.0:9000', '91/udp -> 0.0.0.0:9001']);
    assert.deepEqual(portLines(mappings, '80'), ['127.0.0.1:8080']);
    assert.deepEqual(portLines(mappings, '90/udp'), ['0.0.0.0:9000']);
    assert.equal(portLines(mappings, '81'), undefined);
  });
});
