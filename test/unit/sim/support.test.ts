import { describe, expect, it } from 'vitest';
import { decideFault } from '../../../sim/api/faults';
import { RequestLog } from '../../../sim/api/request-log';
import { routeService, signingName } from '../../../sim/api/router';
import { seededRandom } from '../../../sim/model/ids';
import { IpReuse, ipAllocator } from '../../../sim/model/ip-allocator';
import { ManualScheduler } from '../../../sim/model/scheduler';

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`;

describe('routing', () => {
  it('routes by the SigV4 credential scope and tells ELB versions apart', () => {
    expect(signingName(auth('autoscaling'))).toBe('autoscaling');
    expect(routeService({ authorization: auth('ec2') })).toBe('ec2');
    expect(routeService({ authorization: auth('ssm') })).toBe('ssm');
    expect(routeService({ authorization: auth('elasticloadbalancing'), version: '2012-06-01' })).toBe('elb');
    expect(routeService({ authorization: auth('elasticloadbalancing'), version: '2015-12-01' })).toBe(
      'elbv2',
    );
    expect(routeService({ authorization: auth('s3') })).toBeUndefined();
    expect(routeService({ target: 'AmazonSSM.GetParameter' })).toBe('ssm');
    expect(routeService({ authorization: auth('sqs') })).toBe('sqs');
    expect(routeService({ target: 'AmazonSQS.SendMessage' })).toBe('sqs');
  });
});

describe('ip allocator', () => {
  it('never hands out an address in use and reuses freed ones (lowest first)', () => {
    const ips = ipAllocator({ first: 1, last: 3 });
    expect([ips.allocate(), ips.allocate(), ips.allocate()]).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
    expect(() => ips.allocate()).toThrow(/No free private IP/);
    ips.release('127.0.1.2');
    expect(ips.allocate()).toBe('127.0.1.2');
  });

  it('round-robin reuse walks forward before reusing', () => {
    const ips = ipAllocator({ first: 1, last: 3, reuse: IpReuse.roundRobin });
    const a = ips.allocate();
    ips.release(a);
    expect(ips.allocate()).toBe('127.0.1.2');
    expect(ips.allocate()).toBe('127.0.1.3');
    expect(ips.allocate()).toBe('127.0.1.1');
  });

  it('refuses a prefix outside loopback', () => {
    expect(() => ipAllocator({ prefix: '10.0.0' })).toThrow(/outside 127/);
  });
});

describe('faults', () => {
  it('maxConsecutive lets a request through after that many injected errors in a row, per request', () => {
    const streaks = new Map<string, number>();
    const rules = [{ throttleRate: 1, maxConsecutive: 2 }];
    const decide = (request: string) =>
      decideFault(rules, { service: 'autoscaling', action: 'X', request }, () => 0, streaks).error?.code ??
      'ok';
    expect(['A', 'A', 'B', 'A', 'A', 'A', 'B', 'B'].map(decide)).toEqual([
      'Throttling',
      'Throttling',
      'Throttling',
      'ok',
      'Throttling',
      'Throttling',
      'Throttling',
      'ok',
    ]);
  });

  it('throttles with each service’s code and adds latency of every matching rule', () => {
    const always = () => 0;
    expect(
      decideFault([{ throttleRate: 1 }], { service: 'autoscaling', action: 'X' }, always).error?.code,
    ).toBe('Throttling');
    expect(decideFault([{ throttleRate: 1 }], { service: 'ec2', action: 'X' }, always).error?.code).toBe(
      'RequestLimitExceeded',
    );
    expect(decideFault([{ throttleRate: 1 }], { service: 'ssm', action: 'X' }, always).error?.code).toBe(
      'ThrottlingException',
    );
    const unavailable = decideFault(
      [{ errorRate: 1, errorCode: 'ServiceUnavailable' }],
      { service: 'elb', action: 'X' },
      always,
    );
    expect(unavailable.error).toMatchObject({ code: 'ServiceUnavailable', status: 503, fault: 'Receiver' });
    const d = decideFault(
      [{ latencyMs: 10 }, { action: 'Y', latencyMs: 99 }, { service: 'ec2', latencyMs: 5 }],
      { service: 'ec2', action: 'X' },
      always,
    );
    expect(d).toEqual({ latencyMs: 15, error: undefined });
  });

  it('throttles about the configured share with seeded randomness, reproducibly', () => {
    const run = () => {
      const random = seededRandom(42);
      return Array.from(
        { length: 1000 },
        () => decideFault([{ throttleRate: 0.3 }], { service: 'ssm', action: 'A' }, random).error,
      ).filter(Boolean).length;
    };
    const n = run();
    expect(n).toBe(run());
    expect(n).toBeGreaterThan(240);
    expect(n).toBeLessThan(360);
  });
});

describe('manual scheduler and request log', () => {
  it('runs due timers in time order, including ones scheduled by callbacks', async () => {
    const s = new ManualScheduler(0);
    const seen: string[] = [];
    s.schedule(20, () => void seen.push('b'));
    s.schedule(10, () => {
      seen.push('a');
      s.schedule(5, () => void seen.push('a+5'));
    });
    const cancel = s.schedule(12, () => void seen.push('cancelled'));
    cancel();
    await s.advance(19);
    expect(seen).toEqual(['a', 'a+5']);
    expect(s.now()).toBe(19);
    await s.advance(1);
    expect(seen).toEqual(['a', 'a+5', 'b']);
    expect(s.pending).toBe(0);
  });

  it('keeps the most recent entries and filters them', () => {
    const log = new RequestLog(2);
    for (const action of ['A', 'B', 'C']) {
      log.add({
        time: 0,
        service: 'ssm',
        action,
        params: {},
        status: 200,
        result: 'ok',
        injected: false,
        durationMs: 0,
      });
    }
    expect(log.entries().map((e) => e.action)).toEqual(['B', 'C']);
    expect(log.entries({ action: 'C' })[0]?.seq).toBe(3);
  });
});
