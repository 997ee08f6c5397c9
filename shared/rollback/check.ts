import {
  type AutoScalingAdapter,
  createAutoScalingAdapter,
  createEc2Adapter,
  createElbAdapter,
  createElbV2Adapter,
  createHealthTokenSource,
  createPolicyLoader,
  createSsmAdapter,
  type Ec2Adapter,
  type ElbAdapter,
  type ElbV2Adapter,
  readLbHealthChecks,
  type SsmAdapter,
} from '../aws';
import type { FunctionConfig } from '../config';
import { parsePolicyInput } from '../gate';
import { type ProbeOptions, type ProbeResult, probe } from '../probe';
import { inspectGroup, type RollbackReport } from './inspect';
import { policyProbeSettings } from './probe-settings';

/** Checks one group: what the handler, the command line and the deploy driver call. */
export type RollbackCheck = (
  groupName: string,
  options?: { signal?: AbortSignal },
) => Promise<RollbackReport>;

/** Options of {@link createRollbackCheck}: the configuration, and anything to replace (tests, the deploy driver). */
export interface RollbackCheckOptions {
  config: FunctionConfig;
  autoscaling?: Pick<AutoScalingAdapter, 'describeGroup' | 'describeLifecycleHooks'>;
  ec2?: Pick<Ec2Adapter, 'describeInstance'>;
  elb?: Pick<ElbAdapter, 'describeInstanceHealth' | 'describeHealthCheck'>;
  elbv2?: Pick<ElbV2Adapter, 'describeTargetHealth' | 'describeTargetGroups'>;
  /** Reads the policies and the health token (both decrypted). */
  ssm?: Pick<SsmAdapter, 'getParameter' | 'getParameterEntry'>;
  /** Default: the guarded probe of shared/probe. */
  probe?: (options: ProbeOptions) => Promise<ProbeResult>;
  fetch?: typeof fetch;
  now?: () => number;
  concurrency?: number;
}

/**
 * Wires {@link inspectGroup} to real adapters (default SDK clients: endpoints from the SDK's own environment), the
 * group's policy from SSM merged with its load balancers' health checks (as the launch gate does), and the health
 * token from SSM (decrypted, cached like the policies). Nothing is called until the returned function is.
 *
 * @example
 * const check = createRollbackCheck({ config: loadFunctionConfig() });
 * const report = await check('web-green');
 */
export function createRollbackCheck(options: RollbackCheckOptions): RollbackCheck {
  const { config } = options;
  const ssm = options.ssm ?? createSsmAdapter();
  const autoscaling = options.autoscaling ?? createAutoScalingAdapter();
  const ec2 = options.ec2 ?? createEc2Adapter();
  const elb = options.elb ?? createElbAdapter();
  const elbv2 = options.elbv2 ?? createElbV2Adapter();
  const policies = createPolicyLoader({
    ssm,
    parse: parsePolicyInput,
    prefix: config.policyPrefix,
    cacheSeconds: config.policyCacheSeconds,
    ...(options.now ? { now: options.now } : {}),
  });
  const probeSettings = policyProbeSettings({
    policies,
    defaultProbeCidrs: config.probeCidrs,
    lbHealthChecks: (group) => readLbHealthChecks({ elb, elbv2 }, group),
  });
  const healthToken = createHealthTokenSource({
    ssm,
    ...(config.healthTokenParameter !== undefined ? { parameterName: config.healthTokenParameter } : {}),
    cacheSeconds: config.policyCacheSeconds,
    ...(options.now ? { now: options.now } : {}),
  });

  return async (groupName, checkOptions = {}) => {
    const token = await healthToken();
    const headers = token === undefined ? undefined : { [config.healthTokenHeader]: token };
    return inspectGroup(
      {
        autoscaling,
        ec2,
        elb,
        elbv2,
        probeSettings,
        probe: options.probe ?? probe,
        ...(headers ? { probeHeaders: headers } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      },
      groupName,
      checkOptions,
    );
  };
}
