import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from './errors';

/** The key naming the Parameter Store path to load configuration from. */
export const SSM_CONFIG_PATH_KEY = 'HEALTHGATE_SSM_CONFIG_PATH';

/**
 * `/app/prod/` + `/app/prod/db/secret-key` → `DB_SECRET_KEY`: the name relative to the path, separators
 * (`/`, `-`, `.`) turned into `_`, upper-cased.
 */
export function envKeyFor(basePath: string, name: string): string {
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const relative = name.startsWith(base) ? name.slice(base.length) : name.replace(/^\/+/, '');
  return relative
    .replace(/[/\-.]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/**
 * Reads every parameter under `env.HEALTHGATE_SSM_CONFIG_PATH` (recursive, decrypted) and returns `env`
 * completed with them. Keys already set in `env` win: an explicit variable overrides the store.
 * Without the path key, returns `env` unchanged and sends nothing. A failure throws {@link ConfigError}
 * naming the path: the app must not boot on partial configuration.
 *
 * @example
 * const env = await loadSsmConfig(process.env, { client: new SSMClient({}) });
 */
export async function loadSsmConfig(
  env: Record<string, string | undefined>,
  deps: { client: SSMClient },
): Promise<Record<string, string | undefined>> {
  const basePath = env[SSM_CONFIG_PATH_KEY]?.trim();
  if (!basePath) {
    return env;
  }
  const loaded: Record<string, string> = {};
  try {
    // Loaded on demand: the SDK adds about 0.4 s to every boot that has no SSM path to read.
    const { paginateGetParametersByPath } = await import('@aws-sdk/client-ssm');
    const pages = paginateGetParametersByPath(
      { client: deps.client },
      { Path: basePath, Recursive: true, WithDecryption: true },
    );
    for await (const page of pages) {
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) {
          continue;
        }
        const key = envKeyFor(basePath, parameter.Name);
        if (key !== '') {
          loaded[key] = parameter.Value;
        }
      }
    }
  } catch (error) {
    // The error's name (AccessDeniedException, a network error) says why; its message may quote an ARN.
    const why = error instanceof Error ? error.name : 'unknown error';
    throw new ConfigError(
      `cannot load configuration from SSM path ${basePath} (${SSM_CONFIG_PATH_KEY}): ${why}`,
      [SSM_CONFIG_PATH_KEY],
      { cause: error },
    );
  }
  const merged: Record<string, string | undefined> = { ...loaded };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') {
      merged[key] = value;
    }
  }
  return merged;
}
