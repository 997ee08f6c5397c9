/**
 * The launch gate's SSM reads, wired as production runs them: the group's policy, the health token and the state
 * keys share one GetParameters answer per cold container; the two secrets are kept for SECRET_CACHE_SECONDS from
 * that answer and read again, together, as soon as using one fails.
 */
import { createHealthTokenSource, type HealthTokenSource } from '../aws/health-token';
import { readParametersTogether, type SsmAdapter } from '../aws/ssm';
import type { FunctionConfig } from '../config';
import { createStateKeySource, type StateKeySource } from './state-seal';

/** The readers {@link createGateParameterReaders} makes. */
export interface GateParameterReaders {
  /** For the policy loader: a cold container's first policy read carries the secrets in the same call. */
  ssm: ReturnType<typeof readParametersTogether>;
  healthToken: HealthTokenSource;
  stateKeys: StateKeySource;
}

/**
 * @example
 * const { ssm, healthToken, stateKeys } = createGateParameterReaders(createSsmAdapter(), loadFunctionConfig());
 */
export function createGateParameterReaders(
  adapter: Pick<SsmAdapter, 'getParameterEntry' | 'getParameters'>,
  config: Pick<FunctionConfig, 'healthTokenParameter' | 'stateKeyParameter' | 'secretCacheSeconds'>,
  now?: () => number,
): GateParameterReaders {
  const clock = now ? { now } : {};
  const ssm = readParametersTogether(
    adapter,
    [config.healthTokenParameter, config.stateKeyParameter].filter((n): n is string => n !== undefined),
    { ttlMs: config.secretCacheSeconds * 1000, ...clock },
  );
  const cacheSeconds = config.secretCacheSeconds;
  return {
    ssm,
    healthToken: createHealthTokenSource({
      ssm,
      parameterName: config.healthTokenParameter,
      cacheSeconds,
      ...clock,
    }),
    stateKeys: createStateKeySource({ ssm, parameterName: config.stateKeyParameter, cacheSeconds, ...clock }),
  };
}
