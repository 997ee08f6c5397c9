/**
 * 200 launches at once against a gate limited to 10 concurrent executions (issue 10's scale run, as a test): the
 * real gate behind the steps queue and its event source mapping, gating light instances. Asserts correctness
 * only; how long it took and what it cost are `npm run bench:gate`'s to measure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_SETTINGS } from '../../shared/fleet/settings';
import { type GateFleet, InstanceKind, startGateFleet } from '../support/gate-fleet';

const GOOD = 180;
const BAD = 20;

describe('the gate at scale: 200 launches, reserved concurrency 10', () => {
  let fleet: GateFleet | undefined;

  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('decides every launch by its own completion: good ones CONTINUE, failing ones ABANDON, nothing timed out or lost', async () => {
    fleet = await startGateFleet({
      seed: 1010,
      good: GOOD,
      bad: BAD,
      bootDelayMs: 3_000,
      policy: {
        intervalSeconds: 1,
        timeoutSeconds: 0.5,
        healthyThreshold: 2,
        deadlineSeconds: 120,
        lbVerifySeconds: 60,
      },
      hookHeartbeatTimeoutSeconds: FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
      lbCheck: { intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 },
      reservedConcurrency: 10,
    });
    const launched = fleet.launch();
    expect(launched).toHaveLength(GOOD + BAD);
    // Generous bounds for a loaded two-core machine: an idle one decides all 200 in about 10 s.
    await fleet.waitDecided(120_000);
    await fleet.waitQuiet(90_000);

    const outcome = fleet.outcome();
    const summary = (kind: InstanceKind) =>
      outcome.instances
        .filter((i) => i.kind === kind)
        .map((i) => `${i.completion?.result} by ${i.completion?.cause}: ${i.decision?.reason}`);
    expect(new Set(summary(InstanceKind.good))).toEqual(
      new Set(['CONTINUE by CompleteLifecycleAction: HEALTHY_THRESHOLD_MET']),
    );
    expect(new Set(summary(InstanceKind.bad))).toEqual(
      new Set(['ABANDON by CompleteLifecycleAction: NON_TRANSIENT_FAILURE']),
    );
    // Nothing replaced (no good instance abandoned), and the load balancer agreed with every CONTINUE.
    expect(outcome.replacements).toEqual([]);
    expect(
      outcome.instances.filter((i) => i.kind === InstanceKind.good && i.lbVerdict !== 'healthy'),
    ).toEqual([]);
    // The limit held, and no step was lost: none dead-lettered, none left in the queue.
    expect(outcome.lambda.peakConcurrency).toBeLessThanOrEqual(10);
    const { stack } = fleet;
    const dlq = stack.sim.model.queues.findByArn(stack.stepQueue!.deadLetterArn)!;
    expect(dlq.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // One effective completion per launch.
    const completions = stack.sim.requests
      .entries({ service: 'autoscaling', action: 'CompleteLifecycleAction' })
      .filter((e) => e.result === 'ok');
    expect(completions).toHaveLength(GOOD + BAD);
  }, 300_000);
});
