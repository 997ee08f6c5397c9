import type { Kysely } from 'kysely';
import type { AppSchema, TariffTable } from '../schema';

export const SEED_TARIFFS: TariffTable[] = [
  {
    code: 'E-FLEX-1',
    name: 'Flexible Electricity',
    fuel: 'electricity',
    unit_rate_pence: 24.5,
    standing_charge_pence: 53.35,
  },
  {
    code: 'E-FIX-12M',
    name: 'Fixed 12M Electricity',
    fuel: 'electricity',
    unit_rate_pence: 22.86,
    standing_charge_pence: 48.9,
  },
  {
    code: 'E-AGILE',
    name: 'Agile Electricity',
    fuel: 'electricity',
    unit_rate_pence: 17.2,
    standing_charge_pence: 47.85,
  },
  {
    code: 'G-FLEX-1',
    name: 'Flexible Gas',
    fuel: 'gas',
    unit_rate_pence: 6.24,
    standing_charge_pence: 31.65,
  },
  {
    code: 'G-TRACKER',
    name: 'Tracker Gas',
    fuel: 'gas',
    unit_rate_pence: 5.87,
    standing_charge_pence: 29.62,
  },
];

/** Seeds the tariffs so a fresh database renders a real page. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as Kysely<AppSchema>).insertInto('tariffs').values(SEED_TARIFFS).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as Kysely<AppSchema>)
    .deleteFrom('tariffs')
    .where(
      'code',
      'in',
      SEED_TARIFFS.map((t) => t.code),
    )
    .execute();
}
