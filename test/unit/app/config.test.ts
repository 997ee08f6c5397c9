import { describe, expect, it } from 'vitest';
import { LOCAL_SECRET_KEY, loadConfig, secretsOf } from '../../../app/config';
import { ConfigError } from '../../../app/errors';
import { readFaults } from '../../../app/faults';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('refuses to boot without SECRET_KEY, naming the key', () => {
    const error = configError(() => loadConfig({ NODE_ENV: 'production' }));
    expect(error.keys).toEqual(['SECRET_KEY']);
    expect(error.message).toBe('missing required configuration: SECRET_KEY');
  });

  it('treats a blank SECRET_KEY as missing', () => {
    expect(configError(() => loadConfig({ SECRET_KEY: '   ' })).keys).toEqual(['SECRET_KEY']);
  });

  it('names an invalid key without echoing its value', () => {
    const error = configError(() => loadConfig({ SECRET_KEY: 's', PORT: 'secret-looking-99999x' }));
    expect(error.keys).toEqual(['PORT']);
    expect(error.message).toContain('PORT');
    expect(error.message).not.toContain('secret-looking');
  });

  it('uses the embedded secret only in explicit local-defaults mode, and never in production', () => {
    const local = loadConfig({ LOCAL_DEFAULTS: '1' });
    expect(local.secretKey).toBe(LOCAL_SECRET_KEY);
    expect(local.secretKeyIsDefault).toBe(true);
    expect(local.httpsRedirect).toBe(false);
    expect(local.allowedHosts).toContain('localhost');
    expect(local.shutdownDrainMs).toBe(0);
    const error = configError(() =>
      loadConfig({ LOCAL_DEFAULTS: '1', NODE_ENV: 'production', SECRET_KEY: 'x' }),
    );
    expect(error.keys).toContain('LOCAL_DEFAULTS');
    expect(() => loadConfig({ NODE_ENV: 'development' })).toThrow(/SECRET_KEY/);
  });

  it('has production defaults: redirect on, all interfaces, no allowed hosts, migrations not on boot with a URL', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      SECRET_KEY: 'k',
      DATABASE_URL: 'postgres://u:p%40ss@127.0.0.1:5432/app',
    });
    expect(c.httpsRedirect).toBe(true);
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(8080);
    expect(c.allowedHosts).toEqual([]);
    expect(c.migrateOnBoot).toBe(false);
    expect(c.defaultDatabase).toBe(false);
    expect(c.instanceMetadata).toBe('none');
    expect(secretsOf(c)).toEqual(['k', 'postgres://u:p%40ss@127.0.0.1:5432/app', 'p@ss']);
  });

  it('migrates on boot by default only for the default SQLite file', () => {
    expect(loadConfig({ SECRET_KEY: 'k' }).migrateOnBoot).toBe(true);
    expect(loadConfig({ SECRET_KEY: 'k', SQLITE_PATH: '/tmp/x.sqlite' }).migrateOnBoot).toBe(false);
    expect(loadConfig({ SECRET_KEY: 'k', MIGRATE_ON_BOOT: '0' }).migrateOnBoot).toBe(false);
    expect(
      loadConfig({ SECRET_KEY: 'k', SQLITE_PATH: '/tmp/x.sqlite', MIGRATE_ON_BOOT: 'yes' }).migrateOnBoot,
    ).toBe(true);
  });

  it('reads lists and booleans strictly', () => {
    const c = loadConfig({
      SECRET_KEY: 'k',
      ALLOWED_HOSTS: ' a.example , .b.example ,',
      HEALTH_CIDRS: '10.0.0.0/8',
    });
    expect(c.allowedHosts).toEqual(['a.example', '.b.example']);
    expect(c.healthCidrs).toEqual(['10.0.0.0/8']);
    expect(configError(() => loadConfig({ SECRET_KEY: 'k', HTTPS_REDIRECT: 'maybe' })).keys).toEqual([
      'HTTPS_REDIRECT',
    ]);
    expect(configError(() => loadConfig({ SECRET_KEY: 'k', DATABASE_URL: 'mysql://x' })).keys).toEqual([
      'DATABASE_URL',
    ]);
    expect(configError(() => loadConfig({ SECRET_KEY: 'k', HEALTH_CIDRS: '10.0.0.0/33' })).keys).toEqual([
      'HEALTH_CIDRS',
    ]);
    expect(configError(() => loadConfig({ SECRET_KEY: 'k', HEALTH_TOKEN_HEADER: 'x token' })).keys).toEqual([
      'HEALTH_TOKEN_HEADER',
    ]);
    expect(loadConfig({ SECRET_KEY: 'k' }).healthTokenHeader).toBe('x-health-token');
    expect(loadConfig({ SECRET_KEY: 'k', HEALTH_TOKEN_HEADER: 'X-Probe-Token' }).healthTokenHeader).toBe(
      'x-probe-token',
    );
  });
});

describe('readFaults', () => {
  it('is off unless set, and ignores malformed values', () => {
    expect(readFaults({})).toEqual({ brokenHome: false, homeDelayMs: 0, healthDelayMs: 0 });
    expect(
      readFaults({ FAULT_BROKEN_HOME: '1', FAULT_HEALTH_DELAY_MS: '250', FAULT_HOME_DELAY_MS: 'x' }),
    ).toEqual({
      brokenHome: true,
      homeDelayMs: 0,
      healthDelayMs: 250,
    });
  });
});
