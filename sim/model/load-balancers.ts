/**
 * Classic load balancers and ELBv2 target groups: registration and ELB-style health checking of registered
 * instances on their private IPs, on the scheduler's clock (intervals and timeouts scaled by `timeScale`).
 */
import type { SimEvents } from '../events';
import { type FetchLike, type ProbeTarget, probeTarget } from '../lb/probe';
import {
  applyCheck,
  CheckFailure,
  type CheckResult,
  classicInstanceState,
  initialHealth,
  type TargetHealth,
  v2TargetHealth,
} from '../lb/target-health';
import { SimError } from './errors';
import type { Cancel, Scheduler } from './scheduler';

/** Classic ELB health check settings, as the API carries them. */
export interface ClassicHealthCheck {
  Target: string;
  Interval: number;
  Timeout: number;
  UnhealthyThreshold: number;
  HealthyThreshold: number;
}

export interface Listener {
  Protocol: string;
  LoadBalancerPort: number;
  InstanceProtocol?: string;
  InstancePort: number;
}

interface Registration {
  instanceId: string;
  ip: string;
  port: number;
  health: TargetHealth;
  draining: boolean;
  cancel?: Cancel;
  /** Bumped on deregistration so an in-flight check's result is dropped. */
  generation: number;
}

export interface ClassicLoadBalancer {
  name: string;
  dnsName: string;
  createdTime: number;
  listeners: Listener[];
  availabilityZones: string[];
  healthCheck: ClassicHealthCheck;
  registrations: Map<string, Registration>;
}

export interface TargetGroup {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId?: string;
  targetType: string;
  healthCheckProtocol: string;
  healthCheckPort: string;
  healthCheckPath: string;
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
  deregistrationDelaySeconds: number;
  registrations: Map<string, Registration>;
}

/** Default classic health check when CreateLoadBalancer gives none: TCP on the first listener's instance port. */
const defaultClassicHealthCheck = (listeners: Listener[]): ClassicHealthCheck => ({
  Target: `TCP:${listeners[0]?.InstancePort ?? 80}`,
  Interval: 30,
  Timeout: 5,
  UnhealthyThreshold: 2,
  HealthyThreshold: 10,
});

/** Parses `HTTP:8080/health`, `TCP:80` into a probe target (without the IP). */
export const parseClassicTarget = (target: string): Omit<ProbeTarget, 'ip'> => {
  const m = /^(HTTP|HTTPS|TCP|SSL):(\d{1,5})(\/.*)?$/.exec(target);
  if (!m) throw new SimError('ValidationError', `Invalid health check target: ${target}`);
  const protocol = m[1] as ProbeTarget['protocol'];
  if ((protocol === 'HTTP' || protocol === 'HTTPS') && !m[3]) {
    throw new SimError('ValidationError', `HTTP and HTTPS health check targets need a path: ${target}`);
  }
  return { protocol, port: Number(m[2]), path: m[3] };
};

export interface LoadBalancersOptions {
  scheduler: Scheduler;
  events: SimEvents;
  fetch: FetchLike;
  /** Real milliseconds per configured second. */
  msPerSecond: number;
  region: string;
  accountId: string;
  /**
   * Whether the load balancer's health checks reach an instance (its security group admits the load balancer);
   * default every instance. An unreachable instance's checks time out, as when a security group drops them.
   */
  reachable?: (instanceId: string) => boolean;
}

/** The load balancers and target groups of the control plane. */
export class LoadBalancers {
  readonly classic = new Map<string, ClassicLoadBalancer>();
  readonly targetGroups = new Map<string, TargetGroup>();

  constructor(private readonly options: LoadBalancersOptions) {}

  createClassic(input: {
    name: string;
    listeners: Listener[];
    availabilityZones?: string[];
  }): ClassicLoadBalancer {
    const existing = this.classic.get(input.name);
    if (existing) return existing;
    const lb: ClassicLoadBalancer = {
      name: input.name,
      dnsName: `${input.name}-1.${this.options.region}.elb.amazonaws.com`,
      createdTime: this.options.scheduler.now(),
      listeners: input.listeners,
      availabilityZones: input.availabilityZones ?? [`${this.options.region}a`],
      healthCheck: defaultClassicHealthCheck(input.listeners),
      registrations: new Map(),
    };
    this.classic.set(input.name, lb);
    return lb;
  }

  /** The classic LB; `LoadBalancerNotFound` otherwise. */
  getClassic(name: string): ClassicLoadBalancer {
    const lb = this.classic.get(name);
    if (!lb) throw new SimError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`);
    return lb;
  }

  configureHealthCheck(name: string, healthCheck: ClassicHealthCheck): ClassicLoadBalancer {
    const lb = this.getClassic(name);
    parseClassicTarget(healthCheck.Target);
    lb.healthCheck = healthCheck;
    return lb;
  }

  createTargetGroup(
    input: Partial<Omit<TargetGroup, 'arn' | 'registrations'>> & { name: string },
  ): TargetGroup {
    const existing = [...this.targetGroups.values()].find((t) => t.name === input.name);
    if (existing) return existing;
    const suffix = Array.from(input.name)
      .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
      .toString(16);
    const arn = `arn:aws:elasticloadbalancing:${this.options.region}:${this.options.accountId}:targetgroup/${input.name}/${suffix.padStart(16, '0')}`;
    const tg: TargetGroup = {
      arn,
      name: input.name,
      protocol: input.protocol ?? 'HTTP',
      port: input.port ?? 80,
      vpcId: input.vpcId,
      targetType: input.targetType ?? 'instance',
      healthCheckProtocol: input.healthCheckProtocol ?? input.protocol ?? 'HTTP',
      healthCheckPort: input.healthCheckPort ?? 'traffic-port',
      healthCheckPath: input.healthCheckPath ?? '/',
      healthCheckIntervalSeconds: input.healthCheckIntervalSeconds ?? 30,
      healthCheckTimeoutSeconds: input.healthCheckTimeoutSeconds ?? 5,
      healthyThresholdCount: input.healthyThresholdCount ?? 5,
      unhealthyThresholdCount: input.unhealthyThresholdCount ?? 2,
      matcher: input.matcher ?? '200',
      deregistrationDelaySeconds: input.deregistrationDelaySeconds ?? 300,
      registrations: new Map(),
    };
    this.targetGroups.set(arn, tg);
    return tg;
  }

  /** The target group by ARN; `TargetGroupNotFound` otherwise. */
  getTargetGroup(arn: string): TargetGroup {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw new SimError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    return tg;
  }

  /** Registers an instance with a classic LB and starts checking it. */
  registerClassic(name: string, instanceId: string, ip: string): void {
    const lb = this.getClassic(name);
    if (lb.registrations.has(instanceId)) return;
    const reg: Registration = {
      instanceId,
      ip,
      port: 0,
      health: initialHealth(),
      draining: false,
      generation: 0,
    };
    lb.registrations.set(instanceId, reg);
    this.scheduleCheck(`elb/${name}`, reg, 0, () => {
      const t = parseClassicTarget(lb.healthCheck.Target);
      return {
        target: { ...t, ip: reg.ip },
        intervalSeconds: lb.healthCheck.Interval,
        timeoutSeconds: lb.healthCheck.Timeout,
        thresholds: {
          healthy: lb.healthCheck.HealthyThreshold,
          unhealthy: lb.healthCheck.UnhealthyThreshold,
        },
        matcher: '200',
      };
    });
  }

  deregisterClassic(name: string, instanceId: string): void {
    const reg = this.classic.get(name)?.registrations.get(instanceId);
    if (!reg) return;
    reg.cancel?.();
    reg.generation++;
    this.classic.get(name)?.registrations.delete(instanceId);
  }

  /** Registers an instance with a target group (on the group's port) and starts checking it. */
  registerTarget(arn: string, instanceId: string, ip: string, port?: number): void {
    const tg = this.getTargetGroup(arn);
    const current = tg.registrations.get(instanceId);
    if (current && !current.draining) return;
    if (current) this.dropTarget(tg, current);
    const reg: Registration = {
      instanceId,
      ip,
      port: port ?? tg.port,
      health: initialHealth(),
      draining: false,
      generation: 0,
    };
    tg.registrations.set(instanceId, reg);
    this.scheduleCheck(`tg/${tg.name}`, reg, 0, () => ({
      target: {
        protocol: (tg.healthCheckProtocol === 'HTTPS'
          ? 'HTTPS'
          : tg.healthCheckProtocol === 'TCP'
            ? 'TCP'
            : 'HTTP') as ProbeTarget['protocol'],
        ip: reg.ip,
        port: tg.healthCheckPort === 'traffic-port' ? reg.port : Number(tg.healthCheckPort),
        path: tg.healthCheckPath,
      },
      intervalSeconds: tg.healthCheckIntervalSeconds,
      timeoutSeconds: tg.healthCheckTimeoutSeconds,
      thresholds: { healthy: tg.healthyThresholdCount, unhealthy: tg.unhealthyThresholdCount },
      matcher: tg.matcher,
    }));
  }

  /** Starts draining a target; it leaves the group after the deregistration delay. */
  deregisterTarget(arn: string, instanceId: string): void {
    const tg = this.targetGroups.get(arn);
    const reg = tg?.registrations.get(instanceId);
    if (!tg || !reg || reg.draining) return;
    reg.cancel?.();
    reg.generation++;
    reg.draining = true;
    this.emitHealth(`tg/${tg.name}`, reg, 'draining');
    reg.cancel = this.options.scheduler.schedule(
      tg.deregistrationDelaySeconds * this.options.msPerSecond,
      () => this.dropTarget(tg, reg),
    );
  }

  private dropTarget(tg: TargetGroup, reg: Registration): void {
    reg.cancel?.();
    reg.generation++;
    if (tg.registrations.get(reg.instanceId) === reg) tg.registrations.delete(reg.instanceId);
  }

  /** `DescribeInstanceHealth` rows: registered instances, or the named ones (unregistered → OutOfService). */
  classicHealth(name: string, instanceIds?: string[]) {
    const lb = this.getClassic(name);
    const ids = instanceIds?.length ? instanceIds : [...lb.registrations.keys()];
    return ids.map((InstanceId) => {
      const reg = lb.registrations.get(InstanceId);
      if (!reg) {
        return {
          InstanceId,
          State: 'OutOfService',
          ReasonCode: 'ELB',
          Description: 'Instance is not currently registered with the LoadBalancer.',
        };
      }
      return { InstanceId, ...classicInstanceState(reg.health) };
    });
  }

  /** `DescribeTargetHealth` rows: registered and draining targets, or the named ones (unregistered → unused). */
  targetHealth(arn: string, targets?: { Id: string; Port?: number }[]) {
    const tg = this.getTargetGroup(arn);
    const rows = targets?.length
      ? targets
      : [...tg.registrations.values()].map((r) => ({ Id: r.instanceId, Port: r.port }));
    return rows.map((t) => {
      const reg = tg.registrations.get(t.Id);
      const port = t.Port ?? reg?.port ?? tg.port;
      return {
        Target: { Id: t.Id, Port: port },
        HealthCheckPort: tg.healthCheckPort === 'traffic-port' ? String(port) : tg.healthCheckPort,
        TargetHealth: reg
          ? v2TargetHealth(reg.health, reg.draining)
          : {
              State: 'unused',
              Reason: 'Target.NotRegistered',
              Description: 'Target is not registered to the target group',
            },
      };
    });
  }

  /**
   * Whether every named load balancer and target group has the instance registered and healthy (what Auto
   * Scaling's ELB health check reads).
   */
  healthyOnAll(
    instanceId: string,
    loadBalancerNames: readonly string[],
    targetGroupArns: readonly string[],
  ): boolean {
    const registrations = [
      ...loadBalancerNames.map((name) => this.classic.get(name)?.registrations.get(instanceId)),
      ...targetGroupArns.map((arn) => this.targetGroups.get(arn)?.registrations.get(instanceId)),
    ];
    return registrations.every((r) => r !== undefined && !r.draining && r.health.status === 'healthy');
  }

  /** Stops every health check (on close). */
  stop(): void {
    for (const lb of this.classic.values()) for (const reg of lb.registrations.values()) reg.cancel?.();
    for (const tg of this.targetGroups.values()) for (const reg of tg.registrations.values()) reg.cancel?.();
  }

  private scheduleCheck(
    label: string,
    reg: Registration,
    delayMs: number,
    settings: () => {
      target: ProbeTarget;
      intervalSeconds: number;
      timeoutSeconds: number;
      thresholds: { healthy: number; unhealthy: number };
      matcher: string;
    },
  ): void {
    const generation = reg.generation;
    reg.cancel = this.options.scheduler.schedule(delayMs, async () => {
      if (reg.generation !== generation) return;
      const s = settings();
      const result: CheckResult =
        this.options.reachable?.(reg.instanceId) === false
          ? { ok: false, failure: CheckFailure.Timeout }
          : await probeTarget(s.target, {
              timeoutMs: Math.max(1, s.timeoutSeconds * this.options.msPerSecond),
              matcher: s.matcher,
              fetch: this.options.fetch,
            });
      if (reg.generation !== generation) return;
      const before = reg.health.status;
      reg.health = applyCheck(reg.health, result, s.thresholds);
      if (reg.health.status !== before) {
        this.emitHealth(label, reg, reg.health.status, result.ok ? undefined : result.failure);
      }
      this.scheduleCheck(label, reg, s.intervalSeconds * this.options.msPerSecond, settings);
    });
  }

  private emitHealth(target: string, reg: Registration, state: string, reason?: string): void {
    this.options.events.emit('change', {
      kind: 'lb-health',
      time: this.options.scheduler.now(),
      target,
      instanceId: reg.instanceId,
      state,
      reason,
    });
  }
}
