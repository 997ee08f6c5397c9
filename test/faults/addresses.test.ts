/**
 * Addresses from EC2 the gate must never probe: each ends in ABANDON ADDRESS_NOT_ALLOWED before any request,
 * and a listener on loopback proves that nothing was sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkProbeTarget } from '../../shared/probe/address-guard';
import { PEER } from '../support/launch-harness';
import {
  expectAbandonedOnly,
  fastPolicy,
  gateHarness,
  type HostileServer,
  INSTANCE,
  passingBody,
  rawResponse,
  runToEnd,
  startHostile,
} from './support';

let listener: HostileServer;
beforeEach(async () => {
  listener = await startHostile((socket) => socket.end(rawResponse(200, passingBody())));
});
afterEach(async () => {
  await listener.close();
});

/** The policy of the listener, without probeCidrs: the function's default (RFC 1918 here) applies. */
function rfc1918Policy() {
  const { probeCidrs: _, ...policy } = fastPolicy(listener.port);
  return policy;
}

describe('addresses never probed', () => {
  const cases: [string, string][] = [
    ['a public address', '8.8.8.8'],
    ['the metadata service', '169.254.169.254'],
    ['loopback while the CIDRs are RFC 1918', '127.0.0.1'],
    ['an IPv6 address', 'fd00::1'],
    ['an empty address', ''],
    ['an address with a trailing space', '10.0.0.1 '],
    ['an octal-looking address', '010.0.0.1'],
    ['a hex address', '0x7f.0.0.1'],
    ['a short-form address', '127.1'],
    ['an integer address', '2130706433'],
    ['a hostname', 'localhost'],
    ['an address with a port', '10.0.0.1:8080'],
    ['an address with a path', '10.0.0.1/health'],
    ['an address with userinfo', 'x@127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['broadcast', '255.255.255.255'],
  ];
  for (const [name, privateIp] of cases) {
    it(`abandons ADDRESS_NOT_ALLOWED without a request: ${name} (${JSON.stringify(privateIp)})`, async () => {
      const h = gateHarness(listener.port, { privateIp, policy: rfc1918Policy() });
      const out = await runToEnd(h);
      expect(out).toMatchObject({ outcome: 'decided', decision: { reason: 'ADDRESS_NOT_ALLOWED' } });
      expectAbandonedOnly(h, out);
      expect(listener.requests).toEqual([]);
    });
  }

  it('abandons at once when the instance has no private address yet', async () => {
    const h = gateHarness(listener.port, { policy: rfc1918Policy() });
    h.mocks.ec2.reset();
    h.mocks.ec2.resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: INSTANCE,
              State: { Name: 'pending', Code: 0 },
              Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web-blue' }],
            },
          ],
        },
      ],
    });
    const out = await runToEnd(h);
    expect(out).toMatchObject({
      decision: { reason: 'ADDRESS_NOT_ALLOWED', detail: `instance ${INSTANCE} has no private address` },
    });
    expectAbandonedOnly(h, out);
  });

  it('the metadata address stays refused even when the policy lists 169.254.0.0/16', async () => {
    const h = gateHarness(listener.port, {
      privateIp: '169.254.169.254',
      policy: fastPolicy(listener.port, { probeCidrs: ['169.254.0.0/16', '0.0.0.0/0'] }),
    });
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { reason: 'ADDRESS_NOT_ALLOWED' } });
    expectAbandonedOnly(h, out);
  });

  it('control: the same listener is probed and continued when its address is allowed', async () => {
    const h = gateHarness(listener.port, { privateIp: '127.0.0.1' });
    expect(await runToEnd(h)).toMatchObject({ decision: { action: 'CONTINUE' } });
    expect(listener.requests.length).toBeGreaterThan(0);
  });

  it('baseline peers at forbidden addresses are never probed', async () => {
    const canary = await startHostile((socket) =>
      socket.end(
        rawResponse(
          503,
          JSON.stringify({
            status: 'fail',
            instanceId: INSTANCE,
            checks: { 'database:reachable': [{ status: 'fail', componentType: 'datastore' }] },
          }),
        ),
      ),
    );
    try {
      const h = gateHarness(canary.port, {
        inService: [
          { instanceId: PEER, privateIp: '169.254.169.254' },
          { instanceId: 'i-0aaaaaaaaaaaaaaa1', privateIp: '8.8.8.8' },
          { instanceId: 'i-0aaaaaaaaaaaaaaa2', privateIp: '127.0.0.1.' },
        ],
      });
      const out = await runToEnd(h);
      expectAbandonedOnly(h, out, `http://127.0.0.1:${canary.port}/health`);
      expect(h.probes.some((p) => p.address !== '127.0.0.1')).toBe(true);
      expect(listener.requests).toEqual([]);
    } finally {
      await canary.close();
    }
  });
});

describe('policies with IPv6 CIDRs (accepted by the policy schema)', () => {
  it('probe an IPv4 instance in the policy IPv4 ranges, ignoring the IPv6 ones', async () => {
    const h = gateHarness(listener.port, {
      policy: fastPolicy(listener.port, { probeCidrs: ['fd00::/8', '127.0.0.0/8'] }),
    });
    expect(await runToEnd(h)).toMatchObject({ decision: { action: 'CONTINUE' } });
  });

  it('still refuse an IPv4 address outside every IPv4 range', () => {
    expect(
      checkProbeTarget({ address: '127.0.0.1', port: 80, path: '/', allowedCidrs: ['::/0', '10.0.0.0/8'] }),
    ).toEqual({ ok: false, reason: 'address 127.0.0.1 is outside the allowed CIDRs' });
  });

  it('still refuse an invalid CIDR', () => {
    for (const cidr of ['fd00::/129', 'fd00:::/8', 'fd00::/x', '::ffff:127.0.0.1/200']) {
      expect(
        checkProbeTarget({ address: '127.0.0.1', port: 80, path: '/', allowedCidrs: [cidr, '127.0.0.0/8'] }),
      ).toMatchObject({ ok: false, reason: expect.stringContaining('is invalid') });
    }
  });
});
