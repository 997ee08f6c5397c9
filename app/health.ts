import { setTimeout as sleep } from 'node:timers/promises';
import {
  createHealthRunner,
  databaseCheck,
  type HealthCheck,
  type HealthRunner,
  type InjectRequest,
  migrationsCheck,
  pageRendersCheck,
  requiredConfigCheck,
} from '../shared/health';
import { type AppConfig, REQUIRED_KEYS, secretsOf } from './config';
import { abortable } from './db/abortable';
import type { AppDatabase } from './db/database';
import { pendingMigrations } from './db/migrator';
import { HOME_MARKER } from './home';
import type { InstanceIdentity } from './instance-identity';

/** What the deep health needs from the app. */
export interface AppHealthDeps {
  config: AppConfig;
  database: AppDatabase;
  identity: InstanceIdentity;
  /** An in-process request to the app itself (fastify's `inject`). */
  inject: InjectRequest;
  /** Headers that pass the app's own Host check and HTTPS redirect. */
  pageHeaders: Record<string, string>;
}

/**
 * The deep health: `configuration:keys` (required keys), `database:responseTime`, `migrations:pending`
 * (pending ones named, `transient: false`), `homepage:status` (the home page renders in-process), plus
 * `fault:healthDelay` only while that harness knob is set.
 */
export function createAppHealthRunner(deps: AppHealthDeps): HealthRunner {
  const { config } = deps;
  // The keys' values as the app resolved them: the check sees what the app runs with, not the raw env.
  const resolved: Record<string, string | undefined> = { SECRET_KEY: config.secretKey };
  const checks: HealthCheck[] = [
    requiredConfigCheck({ keys: [...REQUIRED_KEYS], env: resolved }),
    databaseCheck({ ping: (signal) => deps.database.ping(signal) }),
    migrationsCheck({ pending: (signal) => abortable(pendingMigrations(deps.database.db), signal) }),
    pageRendersCheck({
      inject: deps.inject,
      headers: deps.pageHeaders,
      expectText: HOME_MARKER,
      // The home page's only dependency is the database: a page failing while it answers is a defect of the build.
      dependenciesHealthy: async (signal) => {
        await deps.database.ping(signal);
        return true;
      },
    }),
  ];
  const delay = config.faults.healthDelayMs;
  if (delay > 0) {
    checks.push({
      name: 'fault:healthDelay',
      componentType: 'system',
      transient: true,
      timeoutMs: delay + 5000,
      run: async (signal) => {
        await sleep(delay, undefined, { signal });
        return { status: 'pass', observedValue: delay, observedUnit: 'ms', output: 'test-harness knob set' };
      },
    });
  }
  return createHealthRunner({
    checks,
    cacheTtlMs: config.healthCacheTtlMs,
    secrets: secretsOf(config),
    identity: () => ({
      version: config.version,
      releaseId: config.releaseId,
      serviceId: config.serviceId,
      instanceId: deps.identity.instanceId,
    }),
  });
}
