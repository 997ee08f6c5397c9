import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
  type ElasticLoadBalancingClientConfig,
  type InstanceState,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { compact } from './compact';
import { type AwsErrorContext, LoadBalancerNotFoundError, sdkErrorName, toAwsError } from './errors';

const SERVICE = 'elasticloadbalancing';
// The SDK names the modelled error by its shape; the wire code is the older name. Accept both.
const LB_NOT_FOUND = new Set(['AccessPointNotFoundException', 'LoadBalancerNotFound']);
const INVALID_INSTANCE = new Set(['InvalidEndPointException', 'InvalidInstance']);

/** A classic load balancer's instance states. */
export const ClassicInstanceState = {
  InService: 'InService',
  OutOfService: 'OutOfService',
  Unknown: 'Unknown',
} as const;
export type ClassicInstanceState = (typeof ClassicInstanceState)[keyof typeof ClassicInstanceState];

/** The reason code this adapter reports for an instance the load balancer does not know (yet). */
export const NOT_REGISTERED_REASON = 'NotRegistered';

/** A classic load balancer's health check. */
export interface ClassicHealthCheck {
  /** As configured, e.g. `HTTP:80/health`, `TCP:8080`. */
  target: string;
  /** `HTTP`, `HTTPS`, `TCP` or `SSL`, parsed from `target`. */
  protocol: string;
  port: number;
  /** The path of an HTTP(S) target (with its query, if any); absent for TCP/SSL. */
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Set when `target` is not `PROTOCOL:PORT[/PATH]` with a port from 1 to 65535: the check cannot be read. */
  malformed?: string;
}

/** One instance's health as the classic load balancer sees it. */
export interface ClassicInstanceHealth {
  instanceId: string;
  state: ClassicInstanceState;
  /** `ELB`, `Instance`, `N/A`, or {@link NOT_REGISTERED_REASON}. */
  reasonCode?: string;
  description?: string;
}

/** The classic Elastic Load Balancing calls healthgate makes. */
export interface ElbAdapter {
  /** DescribeLoadBalancers for one name; throws {@link LoadBalancerNotFoundError} when it does not exist. */
  describeHealthCheck(loadBalancerName: string): Promise<ClassicHealthCheck>;
  /**
   * DescribeInstanceHealth. With `instanceIds`, every requested id is in the answer: one the load balancer
   * does not know (not registered yet, which is normal right after CONTINUE) is `Unknown` with reason
   * {@link NOT_REGISTERED_REASON}.
   */
  describeInstanceHealth(
    loadBalancerName: string,
    instanceIds?: readonly string[],
  ): Promise<ClassicInstanceHealth[]>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createElbClient(
  overrides: ElasticLoadBalancingClientConfig = {},
): ElasticLoadBalancingClient {
  return new ElasticLoadBalancingClient({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** Parses a classic health-check target (`PROTOCOL:PORT[/PATH]`); undefined when it does not have that shape. */
export function parseClassicTarget(
  target: string,
): { protocol: string; port: number; path?: string } | undefined {
  const match = /^([A-Za-z]+):(\d{1,5})(\/.*)?$/.exec(target);
  if (!match) {
    return undefined;
  }
  const port = Number(match[2]);
  if (port < 1 || port > 65535) {
    return undefined;
  }
  return compact({ protocol: (match[1] ?? '').toUpperCase(), port, path: match[3] });
}

/** The classic load balancer adapter. */
export function createElbAdapter(client: ElasticLoadBalancingClient = createElbClient()): ElbAdapter {
  const context = (operation: string, params: Record<string, unknown>): AwsErrorContext => ({
    service: SERVICE,
    operation,
    params,
  });

  const sendInstanceHealth = async (name: string, instanceIds?: readonly string[]) => {
    const out = await client.send(
      new DescribeInstanceHealthCommand({
        LoadBalancerName: name,
        Instances: instanceIds?.map((id) => ({ InstanceId: id })),
      }),
    );
    return (out.InstanceStates ?? []).map(toInstanceHealth);
  };

  return {
    async describeHealthCheck(name) {
      const ctx = context('DescribeLoadBalancers', { LoadBalancerNames: [name] });
      let check: ClassicHealthCheck | undefined;
      try {
        let lb: LoadBalancerDescription | undefined;
        let marker: string | undefined;
        // One name fits one page, but the answer is a list: follow NextMarker rather than trust that.
        do {
          const out = await client.send(
            new DescribeLoadBalancersCommand({ LoadBalancerNames: [name], Marker: marker }),
          );
          lb = (out.LoadBalancerDescriptions ?? []).find((d) => d.LoadBalancerName === name);
          marker = out.NextMarker;
        } while (!lb && marker);
        const hc = lb?.HealthCheck;
        if (hc) {
          const target = hc.Target ?? '';
          const parsed = parseClassicTarget(target);
          check = compact({
            target,
            protocol: parsed?.protocol ?? '',
            port: parsed?.port ?? 0,
            path: parsed?.path,
            intervalSeconds: hc.Interval ?? 0,
            timeoutSeconds: hc.Timeout ?? 0,
            healthyThreshold: hc.HealthyThreshold ?? 0,
            unhealthyThreshold: hc.UnhealthyThreshold ?? 0,
            malformed: parsed
              ? undefined
              : `health-check target ${JSON.stringify(target.slice(0, 100))} is not PROTOCOL:PORT[/PATH] with a port from 1 to 65535`,
          });
        }
      } catch (error) {
        if (LB_NOT_FOUND.has(sdkErrorName(error))) {
          throw new LoadBalancerNotFoundError(name, ctx, { cause: error });
        }
        throw toAwsError(ctx, error);
      }
      if (!check) {
        throw new LoadBalancerNotFoundError(name, ctx);
      }
      return check;
    },

    async describeInstanceHealth(name, instanceIds) {
      const ctx = context('DescribeInstanceHealth', { LoadBalancerName: name, InstanceIds: instanceIds });
      try {
        return await sendInstanceHealth(name, instanceIds);
      } catch (error) {
        if (LB_NOT_FOUND.has(sdkErrorName(error))) {
          throw new LoadBalancerNotFoundError(name, ctx, { cause: error });
        }
        if (!(instanceIds && INVALID_INSTANCE.has(sdkErrorName(error)))) {
          throw toAwsError(ctx, error);
        }
      }
      // One requested instance is not registered, and the API then refuses the whole call: ask for every
      // registered instance and answer for the requested ones.
      try {
        const registered = new Map((await sendInstanceHealth(name)).map((h) => [h.instanceId, h]));
        return instanceIds.map(
          (id) =>
            registered.get(id) ?? {
              instanceId: id,
              state: ClassicInstanceState.Unknown,
              reasonCode: NOT_REGISTERED_REASON,
              description: 'Instance is not registered with the load balancer.',
            },
        );
      } catch (error) {
        throw toAwsError({ ...ctx, params: { LoadBalancerName: name } }, error);
      }
    },
  };
}

function toInstanceHealth(state: InstanceState): ClassicInstanceHealth {
  const raw = state.State ?? '';
  return compact({
    instanceId: state.InstanceId ?? '',
    state: raw in ClassicInstanceState ? (raw as ClassicInstanceState) : ClassicInstanceState.Unknown,
    reasonCode: state.ReasonCode,
    description: state.Description,
  });
}
