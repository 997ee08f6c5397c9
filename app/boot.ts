import type { SSMClient } from '@aws-sdk/client-ssm';
import { type AppConfig, loadConfig } from './config';
import { type AppDatabase, openDatabase } from './db/database';
import { createMigrator, migrateToLatest } from './db/migrator';
import { discoverIdentity, type IdentityDeps, type InstanceIdentity } from './instance-identity';
import { loadSsmConfig, SSM_CONFIG_PATH_KEY } from './ssm-config';

/** What {@link resolveConfig} needs from outside. */
export interface ResolveConfigDeps {
  /** Built only when `HEALTHGATE_SSM_CONFIG_PATH` is set. */
  ssmClient?: () => SSMClient;
}

/**
 * The environment completed from SSM Parameter Store (when `HEALTHGATE_SSM_CONFIG_PATH` is set), then read
 * into a typed configuration. Throws ConfigError naming keys.
 */
export async function resolveConfig(
  env: Record<string, string | undefined>,
  deps: ResolveConfigDeps = {},
): Promise<AppConfig> {
  return loadConfig(await completeEnv(env, deps));
}

/**
 * `env` completed from SSM Parameter Store when `HEALTHGATE_SSM_CONFIG_PATH` is set, else `env` itself.
 * Throws ConfigError naming the path when the store cannot be read.
 */
export async function completeEnv(
  env: Record<string, string | undefined>,
  deps: ResolveConfigDeps = {},
): Promise<Record<string, string | undefined>> {
  return env[SSM_CONFIG_PATH_KEY]
    ? await loadSsmConfig(env, { client: deps.ssmClient ? deps.ssmClient() : await defaultSsmClient() })
    : env;
}

/** The SDK is imported only when a path is configured (see loadSsmConfig). */
async function defaultSsmClient(): Promise<SSMClient> {
  const { SSMClient: Client } = await import('@aws-sdk/client-ssm');
  return new Client({});
}

/** The database opened from configuration. */
export function openConfiguredDatabase(config: AppConfig, onIdleError?: (error: Error) => void): AppDatabase {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    timeoutMs: config.dbTimeoutMs,
    onIdleError,
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(database: AppDatabase): Promise<string[]> {
  return migrateToLatest(createMigrator(database.db));
}

export { discoverIdentity, type IdentityDeps, type InstanceIdentity };
