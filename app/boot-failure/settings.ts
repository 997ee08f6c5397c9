import { compileAuth, DEFAULT_TOKEN_HEADER, type HealthAuth, type HealthIdentity } from '../../shared/health';
import {
  type AppConfig,
  type ConfigKey,
  DEFAULT_IMDS_ENDPOINT,
  DEFAULT_IMDS_TIMEOUT_MS,
  DEFAULT_PORT,
  DEFAULT_SERVICE_ID,
  defaultHostFor,
  readConfigKey,
  secretsOf,
} from '../config';
import { ConfigError } from '../errors';

/** The key that opts in to the boot-failure report. */
export const BOOT_FAILURE_REPORT_KEY = 'BOOT_FAILURE_REPORT';

/**
 * What the serve CLI does when the configuration fails at boot: `exit` (default) prints the error and exits 1;
 * `serve` prints it and answers only `/health` (503, non-transient, naming the keys) until stopped.
 */
export const BootFailureReport = { exit: 'exit', serve: 'serve' } as const;
export type BootFailureReport = (typeof BootFailureReport)[keyof typeof BootFailureReport];

/** What the reporter needs, read leniently from the environment the app failed to boot with. */
export interface BootFailureSettings {
  host: string;
  port: number;
  /** Copied into the body (authorised callers only); `instanceId` is replaced by IMDS's when configured. */
  identity: HealthIdentity;
  /** Given to discoverIdentity when `INSTANCE_METADATA=imds`; undefined otherwise. */
  imds?: Pick<
    AppConfig,
    'instanceId' | 'allowedHostsFile' | 'instanceMetadata' | 'imdsEndpoint' | 'imdsTimeoutMs'
  >;
  /** The same rules as the app's: the token in its header, or a source in the CIDRs; nobody when neither. */
  auth: HealthAuth;
  /** Literal values redacted from every output. */
  secrets: string[];
  /** Keys the reporter could not use (invalid values), left out so it answers at all: named in the log. */
  ignored: ConfigKey[];
}

/** The mode `env` asks for: `serve` only when it says so exactly; anything else (unset, a typo) is `exit`. */
export function bootFailureReportOf(env: Record<string, string | undefined>): BootFailureReport {
  const reading = readConfigKey(env, BOOT_FAILURE_REPORT_KEY);
  return reading.state === 'valid' ? reading.value : BootFailureReport.exit;
}

/**
 * The reporter's settings from `env`, each key read as the app reads it. An invalid `HOST` or `PORT` throws
 * {@link ConfigError}: answering elsewhere than the app would is worse than not answering. Any other invalid
 * key is left out and listed in `ignored`; what it leaves out only hides details, so the gate falls back to
 * its deadline (fail closed).
 */
export function readBootFailureSettings(env: Record<string, string | undefined>): BootFailureSettings {
  const ignored: ConfigKey[] = [];
  const read = <K extends ConfigKey>(key: K) => {
    const reading = readConfigKey(env, key);
    if (reading.state === 'invalid') {
      ignored.push(key);
      return undefined;
    }
    return reading.state === 'valid' ? reading.value : undefined;
  };
  const mode = read('NODE_ENV') ?? 'development';
  const host = read('HOST');
  const port = read('PORT');
  const unusable = ignored.filter((key) => key === 'HOST' || key === 'PORT');
  if (unusable.length > 0) {
    throw new ConfigError(`cannot report the boot failure: invalid ${unusable.join(', ')}`, unusable);
  }
  let cidrs = read('HEALTH_CIDRS') ?? [];
  try {
    compileAuth({ cidrs });
  } catch {
    ignored.push('HEALTH_CIDRS');
    cidrs = [];
  }
  const instanceId = read('INSTANCE_ID');
  const healthToken = read('HEALTH_TOKEN');
  const imds =
    read('INSTANCE_METADATA') === 'imds'
      ? {
          instanceId,
          allowedHostsFile: undefined,
          instanceMetadata: 'imds' as const,
          imdsEndpoint: read('AWS_EC2_METADATA_SERVICE_ENDPOINT') ?? DEFAULT_IMDS_ENDPOINT,
          imdsTimeoutMs: read('IMDS_TIMEOUT_MS') ?? DEFAULT_IMDS_TIMEOUT_MS,
        }
      : undefined;
  return {
    host: host ?? defaultHostFor(mode),
    port: port ?? DEFAULT_PORT,
    identity: {
      version: read('APP_VERSION'),
      releaseId: read('RELEASE_ID'),
      serviceId: read('SERVICE_ID') ?? DEFAULT_SERVICE_ID,
      instanceId,
      description: 'boot failed: the app is not running; only this report answers',
    },
    imds,
    auth: {
      token: healthToken,
      header: (read('HEALTH_TOKEN_HEADER') ?? DEFAULT_TOKEN_HEADER).toLowerCase(),
      cidrs,
    },
    secrets: secretsOf({
      secretKey: read('SECRET_KEY'),
      healthToken,
      databaseUrl: env.DATABASE_URL?.trim() || undefined,
    }),
    ignored,
  };
}
