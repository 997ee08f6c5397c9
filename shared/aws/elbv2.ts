import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { compact } from './compact';
import { type AwsErrorContext, LoadBalancerNotFoundError, sdkErrorName, toAwsError } from './errors';

const SERVICE = 'elasticloadbalancing';
// The SDK names the modelled error by its shape; the wire code is the shorter name. Accept both.
const TG_NOT_FOUND = new Set(['TargetGroupNotFoundException', 'TargetGroupNotFound']);
/**
 * DescribeTargetGroups refuses more ARNs in one call ("You cannot describe more than '20' target groups at a
 * time"), and a group can have more target groups attached than that.
 */
const TARGET_GROUPS_PER_CALL = 20;

/** A target's health state in an ELBv2 target group. */
export const TargetState = {
  initial: 'initial',
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  unhealthyDraining: 'unhealthy.draining',
  unused: 'unused',
  draining: 'draining',
  unavailable: 'unavailable',
} as const;
export type TargetState = (typeof TargetState)[keyof typeof TargetState];

/** A target group's health-check settings. */
export interface TargetGroupHealthCheck {
  arn: string;
  name?: string;
  /** The group's traffic protocol and port. */
  protocol?: string;
  port?: number;
  targetType?: string;
  healthCheckEnabled: boolean;
  healthCheckProtocol?: string;
  /** The port the health check uses: `traffic-port` (the target's registered port) or a number. */
  healthCheckPort: 'traffic-port' | number;
  healthCheckPath?: string;
  /** Set when HealthCheckPort is neither `traffic-port` nor a port from 1 to 65535: the check cannot be read. */
  malformed?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  /** Accepted codes, e.g. `200` or `200-299`. */
  matcher?: { httpCode?: string; grpcCode?: string };
}

/** One target's health. An unregistered target is `unused` with reason `Target.NotRegistered`. */
export interface TargetHealth {
  id: string;
  port?: number;
  state: TargetState;
  reason?: string;
  description?: string;
}

/** The ELBv2 calls healthgate makes. */
export interface ElbV2Adapter {
  /**
   * DescribeTargetGroups for the given ARNs, 20 per call, following NextMarker. Throws
   * {@link LoadBalancerNotFoundError} when any of them does not exist.
   */
  describeTargetGroups(arns: readonly string[]): Promise<TargetGroupHealthCheck[]>;
  /** DescribeTargetHealth, for every target or only `targets`. */
  describeTargetHealth(
    targetGroupArn: string,
    targets?: readonly { id: string; port?: number }[],
  ): Promise<TargetHealth[]>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createElbV2Client(
  overrides: ElasticLoadBalancingV2ClientConfig = {},
): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** The ELBv2 adapter. */
export function createElbV2Adapter(client: ElasticLoadBalancingV2Client = createElbV2Client()): ElbV2Adapter {
  const context = (operation: string, params: Record<string, unknown>): AwsErrorContext => ({
    service: SERVICE,
    operation,
    params,
  });

  return {
    async describeTargetGroups(arns) {
      if (arns.length === 0) {
        // An empty list would describe every target group of the account.
        return [];
      }
      const ctx = context('DescribeTargetGroups', { TargetGroupArns: arns });
      const result: TargetGroupHealthCheck[] = [];
      try {
        for (let start = 0; start < arns.length; start += TARGET_GROUPS_PER_CALL) {
          const batch = arns.slice(start, start + TARGET_GROUPS_PER_CALL);
          let marker: string | undefined;
          do {
            const out = await client.send(
              new DescribeTargetGroupsCommand({ TargetGroupArns: batch, Marker: marker }),
            );
            result.push(...(out.TargetGroups ?? []).map(toHealthCheck));
            marker = out.NextMarker;
          } while (marker);
        }
      } catch (error) {
        if (TG_NOT_FOUND.has(sdkErrorName(error))) {
          throw new LoadBalancerNotFoundError(arns.join(','), ctx, { cause: error });
        }
        throw toAwsError(ctx, error);
      }
      return result;
    },

    async describeTargetHealth(arn, targets) {
      const input = {
        TargetGroupArn: arn,
        Targets: targets?.map((t) => compact({ Id: t.id, Port: t.port })),
      };
      const ctx = context('DescribeTargetHealth', input);
      try {
        const out = await client.send(new DescribeTargetHealthCommand(input));
        return (out.TargetHealthDescriptions ?? []).map(toTargetHealth);
      } catch (error) {
        if (TG_NOT_FOUND.has(sdkErrorName(error))) {
          throw new LoadBalancerNotFoundError(arn, ctx, { cause: error });
        }
        throw toAwsError(ctx, error);
      }
    },
  };
}

function toHealthCheck(group: TargetGroup): TargetGroupHealthCheck {
  const rawPort = group.HealthCheckPort;
  const numericPort = rawPort !== undefined && /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : undefined;
  const portOk =
    rawPort === undefined ||
    rawPort === 'traffic-port' ||
    (numericPort !== undefined && numericPort >= 1 && numericPort <= 65_535);
  return compact({
    arn: group.TargetGroupArn ?? '',
    name: group.TargetGroupName,
    protocol: group.Protocol,
    port: group.Port,
    targetType: group.TargetType,
    healthCheckEnabled: group.HealthCheckEnabled ?? true,
    healthCheckProtocol: group.HealthCheckProtocol,
    healthCheckPort: numericPort ?? 'traffic-port',
    healthCheckPath: group.HealthCheckPath,
    malformed: portOk
      ? undefined
      : `HealthCheckPort ${JSON.stringify(String(rawPort).slice(0, 100))} is neither traffic-port nor a port from 1 to 65535`,
    intervalSeconds: group.HealthCheckIntervalSeconds,
    timeoutSeconds: group.HealthCheckTimeoutSeconds,
    healthyThreshold: group.HealthyThresholdCount,
    unhealthyThreshold: group.UnhealthyThresholdCount,
    matcher: group.Matcher
      ? compact({ httpCode: group.Matcher.HttpCode, grpcCode: group.Matcher.GrpcCode })
      : undefined,
  });
}

const KNOWN_STATES = new Set<string>(Object.values(TargetState));

function toTargetHealth(description: TargetHealthDescription): TargetHealth {
  const raw = description.TargetHealth?.State ?? '';
  return compact({
    id: description.Target?.Id ?? '',
    port: description.Target?.Port,
    // An unknown future state is not healthy: fail closed.
    state: KNOWN_STATES.has(raw) ? (raw as TargetState) : TargetState.unavailable,
    reason: description.TargetHealth?.Reason,
    description: description.TargetHealth?.Description,
  });
}
