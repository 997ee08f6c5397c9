import type { Migration } from 'kysely';
import * as createTariffs from './0001_create_tariffs';
import * as seedTariffs from './0002_seed_tariffs';

/** Every migration, as code, keyed by name; kysely applies them in name order. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_create_tariffs': createTariffs,
  '0002_seed_tariffs': seedTariffs,
};
