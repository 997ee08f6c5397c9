/** Migrations an image may ship on top of the app's own, by name (the name orders them, as kysely does). */
export const EXTRA_MIGRATIONS = {
  '0003_add_meter_reads': new URL('./0003_add_meter_reads.ts', import.meta.url).pathname,
} as const;
export type ExtraMigration = keyof typeof EXTRA_MIGRATIONS;
