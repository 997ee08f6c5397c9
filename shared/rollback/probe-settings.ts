import type { GroupDescription, PolicyLoader } from '../aws';
import { effectivePolicy, type LbHealthCheckSettings, type PolicyInput } from '../gate';
import type { ProbeSettings } from './inspect';

/** Options of {@link policyProbeSettings}. */
export interface PolicyProbeSettingsOptions {
  policies: Pick<PolicyLoader<PolicyInput>, 'load'>;
  /** The functions' PROBE_CIDRS: used when the policy names no ranges. */
  defaultProbeCidrs: readonly string[];
  /** The group's load balancers' health checks (as the launch gate reads them); none when absent. */
  lbHealthChecks?: (group: GroupDescription) => Promise<LbHealthCheckSettings[]>;
}

/**
 * Probe settings from each group's policy (SSM) merged with its load balancers' health checks by the gate's own
 * rule (shared/gate `effectivePolicy`), so the rollback check probes the same port, path and ranges the gate does. A policy or merge that is invalid throws: fail closed, never probe with guesses.
 *
 * @example
 * const policies = createPolicyLoader({ ssm, parse: parsePolicyInput, prefix: config.policyPrefix });
 * const probeSettings = policyProbeSettings({ policies, defaultProbeCidrs: config.probeCidrs });
 */
export function policyProbeSettings(
  options: PolicyProbeSettingsOptions,
): (group: GroupDescription) => Promise<ProbeSettings> {
  return async (group) => {
    const { policy: input = {} } = await options.policies.load(group.name);
    const checks = options.lbHealthChecks ? await options.lbHealthChecks(group) : [];
    const policy = effectivePolicy(input, { defaultProbeCidrs: options.defaultProbeCidrs, lbChecks: checks });
    return {
      port: policy.port,
      path: policy.path,
      timeoutSeconds: policy.timeoutSeconds,
      probeCidrs: policy.probeCidrs,
    };
  };
}
