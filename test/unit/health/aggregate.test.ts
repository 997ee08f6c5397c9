import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateStatus, buildBody, HealthStatus, httpStatusFor, publicView } from '../../../shared/health';

const statuses = fc.constantFrom<HealthStatus>('pass', 'warn', 'fail');

describe('aggregateStatus', () => {
  it.each([
    [[], 'pass'],
    [['pass'], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['warn'], 'warn'],
    [['pass', 'warn', 'pass'], 'warn'],
    [['fail'], 'fail'],
    [['warn', 'fail'], 'fail'],
    [['fail', 'pass', 'warn'], 'fail'],
  ] as const)('%j → %s', (input, expected) => {
    expect(aggregateStatus(input)).toBe(expected);
  });

  it('is the worst status present, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(statuses), (list) => {
        const result = aggregateStatus(list);
        const expected = list.includes('fail') ? 'fail' : list.includes('warn') ? 'warn' : 'pass';
        expect(result).toBe(expected);
        expect(aggregateStatus([...list].reverse())).toBe(result);
      }),
    );
  });

  it('maps fail to 503 and pass/warn to 200', () => {
    expect(httpStatusFor(HealthStatus.pass)).toBe(200);
    expect(httpStatusFor(HealthStatus.warn)).toBe(200);
    expect(httpStatusFor(HealthStatus.fail)).toBe(503);
  });
});

describe('buildBody', () => {
  const entry = (status: HealthStatus) => ({
    status,
    componentType: 'component',
    time: '2024-01-01T00:00:00.000Z',
  });

  it('keys entries by check name, keeps set identity fields and aggregates', () => {
    const body = buildBody({ version: '1.2.3', instanceId: 'i-0abc', releaseId: '' }, [
      { name: 'a:b', entry: entry('pass') },
      { name: 'a:b', entry: entry('warn') },
      { name: 'c:d', entry: entry('pass') },
    ]);
    expect(body).toEqual({
      status: 'warn',
      version: '1.2.3',
      instanceId: 'i-0abc',
      checks: { 'a:b': [entry('pass'), entry('warn')], 'c:d': [entry('pass')] },
    });
  });

  it('publicView keeps the status only', () => {
    const body = buildBody({ version: '1', instanceId: 'i-1' }, [{ name: 'a:b', entry: entry('fail') }]);
    expect(publicView(body)).toEqual({ status: 'fail' });
  });
});
