import { describe, expect, it } from 'vitest';
import { createMetrics, metricsLogger } from '../../../shared/observability/powertools-metrics';

const recordingLogger = () => {
  const lines: [string, unknown[]][] = [];
  const at =
    (level: string) =>
    (...content: unknown[]) =>
      void lines.push([level, content]);
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
};

describe('metricsLogger', () => {
  it("turns Powertools' empty-metrics warning into a debug line and keeps other warnings", () => {
    const { lines, logger } = recordingLogger();
    const wrapped = metricsLogger(logger);
    wrapped.warn('No application metrics to publish. The cold-start metric may be published if enabled.');
    wrapped.warn('Namespace should be defined, default used');
    wrapped.error('boom');
    expect(lines.map(([level]) => level)).toEqual(['debug', 'warn', 'error']);
  });

  it('is what an invocation that records nothing reports through', () => {
    const { lines, logger } = recordingLogger();
    const metrics = createMetrics({ logger });
    metrics.publishStoredMetrics();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toBe('debug');
    expect(String(lines[0]?.[1][0])).toMatch(/^No application metrics to publish/);
  });
});
