import type { LbHealthCheckSettings } from '../gate';
import type { ElbAdapter } from './elb';
import type { ElbV2Adapter } from './elbv2';

/** One load balancer's health-check settings, as the gate's merge takes them. */
export type LbHealthCheck = LbHealthCheckSettings;

/**
 * Reads the health-check settings of every load balancer attached to a group (classic DescribeLoadBalancers,
 * ELBv2 DescribeTargetGroups), so the gate's own probing can be made at least as strict. Target groups whose
 * health check is disabled are left out: they judge nothing.
 */
export async function readLbHealthChecks(
  adapters: {
    elb: Pick<ElbAdapter, 'describeHealthCheck'>;
    elbv2: Pick<ElbV2Adapter, 'describeTargetGroups'>;
  },
  attached: { loadBalancerNames: readonly string[]; targetGroupArns: readonly string[] },
): Promise<LbHealthCheck[]> {
  const checks: LbHealthCheck[] = [];
  for (const name of attached.loadBalancerNames) {
    const hc = await adapters.elb.describeHealthCheck(name);
    checks.push(
      defined({
        source: name,
        protocol: hc.protocol,
        port: hc.malformed === undefined ? hc.port : undefined,
        path: hc.path,
        malformed: hc.malformed,
        intervalSeconds: positive(hc.intervalSeconds),
        timeoutSeconds: positive(hc.timeoutSeconds),
        healthyThreshold: positive(hc.healthyThreshold),
      }),
    );
  }
  for (const tg of await adapters.elbv2.describeTargetGroups(attached.targetGroupArns)) {
    if (!tg.healthCheckEnabled) continue;
    checks.push(
      defined({
        source: tg.arn,
        protocol: tg.healthCheckProtocol ?? tg.protocol ?? 'HTTP',
        port: typeof tg.healthCheckPort === 'number' ? tg.healthCheckPort : tg.port,
        path: tg.healthCheckPath,
        malformed: tg.malformed,
        intervalSeconds: positive(tg.intervalSeconds),
        timeoutSeconds: positive(tg.timeoutSeconds),
        healthyThreshold: positive(tg.healthyThreshold),
      }),
    );
  }
  return checks;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
