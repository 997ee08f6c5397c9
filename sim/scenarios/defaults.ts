/** The runner's defaults every scenario starts from (a file overrides them with its `policy` and `timeScale`). */

/** Real time per configured AWS time: a 300 s hook heartbeat lasts 30 s, a 5 s LB interval 0.5 s. */
export const TIME_SCALE = 0.1;

/**
 * The gate policy of every group, in real seconds (the gate's clock is not scaled). The deadline stays under
 * the hook's scaled heartbeat timeout (30 s), so the gate decides before Auto Scaling's default result would.
 */
export const SCENARIO_POLICY = {
  path: '/health',
  intervalSeconds: 0.5,
  timeoutSeconds: 0.4,
  healthyThreshold: 2,
  deadlineSeconds: 20,
  lbVerifySeconds: 15,
  maxAbandonsPerVersion: 2,
} as const;

/** Instances per group when a scenario does not say. */
export const DEFAULT_CAPACITY = 3;

/**
 * A rolling step's refresh preferences before the step's own, in AWS seconds (scaled by the time scale, as the
 * sim scales every AWS time): no warmup beyond the load balancer's verdict, and short pauses. The checkpoint's is
 * the window the rollback check has to say `proceed` (10 s real): long enough for several checks on a loaded machine.
 */
export const SCENARIO_REFRESH = {
  instanceWarmupSeconds: 0,
  checkpointDelaySeconds: 100,
  bakeTimeSeconds: 50,
} as const;
