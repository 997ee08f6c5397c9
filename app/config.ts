import path from 'node:path';
// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { compileAuth, DEFAULT_TOKEN_HEADER, HealthConfigError } from '../shared/health';
import { ConfigError } from './errors';
import { type Faults, readFaults } from './faults';

/** Keys without which the app refuses to boot; the deep health's configuration check lists the same keys. */
export const REQUIRED_KEYS = ['SECRET_KEY'] as const;

/** How the app runs: `production` is strict; the others allow the explicit local-defaults mode. */
export const RunMode = { production: 'production', development: 'development', test: 'test' } as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** Where the instance's identity comes from at boot; IMDS is asked only when set to `imds`. */
export const InstanceMetadataSource = { none: 'none', imds: 'imds' } as const;
export type InstanceMetadataSource = (typeof InstanceMetadataSource)[keyof typeof InstanceMetadataSource];

/** The secret used in local-defaults mode only; never accepted in production. */
export const LOCAL_SECRET_KEY = 'healthgate-local-defaults-not-a-secret';

/** The app's configuration, read once from the environment. */
export interface AppConfig {
  mode: RunMode;
  /** Explicit local-defaults mode (`LOCAL_DEFAULTS=1` or `serve --local-defaults`): embedded defaults, never in production. */
  localDefaults: boolean;
  /** Whether `secretKey` is the embedded local default. */
  secretKeyIsDefault: boolean;
  secretKey: string;
  host: string;
  port: number;
  /** PostgreSQL connection string; SQLite when unset. */
  databaseUrl?: string;
  dataDir: string;
  sqlitePath: string;
  /** True when the database is the default SQLite file under `dataDir` (no DATABASE_URL, no SQLITE_PATH). */
  defaultDatabase: boolean;
  migrateOnBoot: boolean;
  /** Database connect/query timeout in ms (PostgreSQL). */
  dbTimeoutMs: number;
  allowedHosts: string[];
  allowedHostsFile?: string;
  instanceMetadata: InstanceMetadataSource;
  imdsEndpoint: string;
  imdsTimeoutMs: number;
  instanceId?: string;
  version?: string;
  releaseId?: string;
  serviceId: string;
  httpsRedirect: boolean;
  /** Unlocks the detailed health body (instance id, per-check output); the gate sends it. */
  healthToken?: string;
  /** Header carrying the token; the gate's `HEALTH_TOKEN_HEADER` must name the same one. */
  healthTokenHeader: string;
  /** Source CIDRs (socket peer, never X-Forwarded-For) that see the detailed body without the token. */
  healthCidrs: string[];
  healthCacheTtlMs: number;
  /** Main log (application + access lines); stdout when unset. */
  accessLogFile?: string;
  /** Health request lines; never in the main log. */
  healthLogFile: string;
  logLevel: string;
  shutdownDrainMs: number;
  shutdownTimeoutMs: number;
  faults: Faults;
}

const BOOL_TRUE = new Set(['1', 'true', 'yes', 'on']);
const BOOL_FALSE = new Set(['0', 'false', 'no', 'off']);

const bool = z
  .string()
  .refine((v) => BOOL_TRUE.has(v.toLowerCase()) || BOOL_FALSE.has(v.toLowerCase()), {
    message: 'expected 1/0, true/false, yes/no or on/off',
  })
  .transform((v) => BOOL_TRUE.has(v.toLowerCase()));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `expected an integer ${min}-${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `expected an integer ${min}-${max}` });
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).optional(),
  LOCAL_DEFAULTS: bool.optional(),
  SECRET_KEY: z.string().optional(),
  HOST: z.string().optional(),
  PORT: int(0, 65535).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected postgres:// or postgresql://' })
    .optional(),
  DATA_DIR: z.string().optional(),
  SQLITE_PATH: z.string().optional(),
  MIGRATE_ON_BOOT: bool.optional(),
  DB_TIMEOUT_MS: int(1, 600_000).optional(),
  ALLOWED_HOSTS: list.optional(),
  ALLOWED_HOSTS_FILE: z.string().optional(),
  INSTANCE_METADATA: z.enum(['none', 'imds']).optional(),
  AWS_EC2_METADATA_SERVICE_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  IMDS_TIMEOUT_MS: int(1, 60_000).optional(),
  INSTANCE_ID: z.string().optional(),
  APP_VERSION: z.string().optional(),
  RELEASE_ID: z.string().optional(),
  SERVICE_ID: z.string().optional(),
  HTTPS_REDIRECT: bool.optional(),
  HEALTH_TOKEN: z.string().optional(),
  HEALTH_TOKEN_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, { message: 'expected an HTTP header name' })
    .optional(),
  HEALTH_CIDRS: list.optional(),
  HEALTH_CACHE_TTL_MS: int(0, 600_000).optional(),
  ACCESS_LOG_FILE: z.string().optional(),
  HEALTH_LOG_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  SHUTDOWN_DRAIN_MS: int(0, 600_000).optional(),
  SHUTDOWN_TIMEOUT_MS: int(1, 600_000).optional(),
  // Read by the serve CLI only when the configuration fails (app/boot-failure); validated here so a typo in a
  // good configuration is caught at boot rather than on the day a key goes missing.
  BOOT_FAILURE_REPORT: z.enum(['exit', 'serve']).optional(),
});

/** A key of the environment the app reads. */
export type ConfigKey = keyof typeof schema.shape;

/** One key as {@link readConfigKey} saw it: unset (or blank), valid with its typed value, or invalid. */
export type ConfigKeyReading<K extends ConfigKey> =
  | { state: 'unset' }
  | { state: 'valid'; value: NonNullable<z.output<(typeof schema.shape)[K]>> }
  | { state: 'invalid' };

/**
 * One key read and validated exactly as {@link loadConfig} reads it (trimmed, blank counts as unset), on its
 * own: for the boot-failure reporter, which must still answer when other keys are missing or wrong.
 */
export function readConfigKey<K extends ConfigKey>(
  env: Record<string, string | undefined>,
  key: K,
): ConfigKeyReading<K> {
  const value = env[key]?.trim();
  if (value === undefined || value === '') {
    return { state: 'unset' };
  }
  const parsed = schema.shape[key].safeParse(value);
  return parsed.success && parsed.data !== undefined
    ? { state: 'valid', value: parsed.data as NonNullable<z.output<(typeof schema.shape)[K]>> }
    : { state: 'invalid' };
}

/** `PORT` when unset. */
export const DEFAULT_PORT = 8080;
/** `SERVICE_ID` when unset. */
export const DEFAULT_SERVICE_ID = 'healthgate-app';
/** `AWS_EC2_METADATA_SERVICE_ENDPOINT` when unset: asked only with `INSTANCE_METADATA=imds`. */
export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';
/** `IMDS_TIMEOUT_MS` when unset. */
export const DEFAULT_IMDS_TIMEOUT_MS = 1000;

/** `HOST` when unset: every interface in production (the LB and the gate reach the private IP), else loopback. */
export function defaultHostFor(mode: RunMode): string {
  return mode === 'production' ? '0.0.0.0' : '127.0.0.1';
}

const LOCAL_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '::1'];

/**
 * Reads the configuration once from `env`, typed, failing fast with {@link ConfigError} that names the
 * offending keys (never their values). Empty strings count as unset.
 *
 * A missing `SECRET_KEY` is accepted only in local-defaults mode (`LOCAL_DEFAULTS=1`, which
 * `NODE_ENV=production` forbids); the app then uses {@link LOCAL_SECRET_KEY} and says so.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError('missing required configuration: SECRET_KEY')
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') {
      raw[key] = value.trim();
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    const details = parsed.error.issues.map((issue) => `${String(issue.path[0])} (${issue.message})`);
    throw new ConfigError(`invalid configuration: ${details.join(', ')}`, keys);
  }
  const e = parsed.data;
  const mode: RunMode = e.NODE_ENV ?? 'development';
  const localDefaults = e.LOCAL_DEFAULTS ?? false;
  if (localDefaults && mode === 'production') {
    throw new ConfigError('LOCAL_DEFAULTS cannot be used with NODE_ENV=production', [
      'LOCAL_DEFAULTS',
      'NODE_ENV',
    ]);
  }
  const missing = REQUIRED_KEYS.filter((key) => e[key] === undefined);
  if (missing.length > 0 && !localDefaults) {
    throw new ConfigError(`missing required configuration: ${missing.join(', ')}`, [...missing]);
  }
  const healthCidrs = e.HEALTH_CIDRS ?? [];
  try {
    compileAuth({ cidrs: healthCidrs });
  } catch (error) {
    if (error instanceof HealthConfigError) {
      throw new ConfigError('invalid configuration: HEALTH_CIDRS (expected IPv4/IPv6 CIDRs)', [
        'HEALTH_CIDRS',
      ]);
    }
    throw error;
  }
  const dataDir = path.resolve(e.DATA_DIR ?? 'data');
  const defaultDatabase = e.DATABASE_URL === undefined && e.SQLITE_PATH === undefined;
  return {
    mode,
    localDefaults,
    secretKeyIsDefault: e.SECRET_KEY === undefined,
    secretKey: e.SECRET_KEY ?? LOCAL_SECRET_KEY,
    host: e.HOST ?? defaultHostFor(mode),
    port: e.PORT ?? DEFAULT_PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sqlitePath: path.resolve(e.SQLITE_PATH ?? path.join(dataDir, 'healthgate.sqlite')),
    defaultDatabase,
    migrateOnBoot: e.MIGRATE_ON_BOOT ?? defaultDatabase,
    dbTimeoutMs: e.DB_TIMEOUT_MS ?? 2000,
    allowedHosts: e.ALLOWED_HOSTS ?? (localDefaults ? LOCAL_ALLOWED_HOSTS : []),
    allowedHostsFile: e.ALLOWED_HOSTS_FILE,
    instanceMetadata: e.INSTANCE_METADATA ?? 'none',
    imdsEndpoint: e.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? DEFAULT_IMDS_ENDPOINT,
    imdsTimeoutMs: e.IMDS_TIMEOUT_MS ?? DEFAULT_IMDS_TIMEOUT_MS,
    instanceId: e.INSTANCE_ID,
    version: e.APP_VERSION,
    releaseId: e.RELEASE_ID,
    serviceId: e.SERVICE_ID ?? DEFAULT_SERVICE_ID,
    httpsRedirect: e.HTTPS_REDIRECT ?? !localDefaults,
    healthToken: e.HEALTH_TOKEN,
    healthTokenHeader: (e.HEALTH_TOKEN_HEADER ?? DEFAULT_TOKEN_HEADER).toLowerCase(),
    healthCidrs,
    healthCacheTtlMs: e.HEALTH_CACHE_TTL_MS ?? 1000,
    accessLogFile: e.ACCESS_LOG_FILE,
    healthLogFile: path.resolve(e.HEALTH_LOG_FILE ?? path.join(dataDir, 'health.log')),
    logLevel: e.LOG_LEVEL ?? 'info',
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS ?? (localDefaults ? 0 : 5000),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS ?? 30_000,
    faults: readFaults(env),
  };
}

/** Literal values that must never appear in a health output or log: the secret, the token, the DB URL. */
export function secretsOf(
  config: Partial<Pick<AppConfig, 'secretKey' | 'healthToken' | 'databaseUrl'>>,
): string[] {
  const secrets = [config.secretKey, config.healthToken, config.databaseUrl];
  if (config.databaseUrl) {
    try {
      const password = decodeURIComponent(new URL(config.databaseUrl).password);
      secrets.push(password);
    } catch {
      // An unparsable URL fails at connect; the whole string is redacted already.
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s !== '');
}
