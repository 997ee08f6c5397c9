/** The app's tables as kysely sees them. */
export interface TariffTable {
  code: string;
  name: string;
  /** `electricity` | `gas`. */
  fuel: string;
  unit_rate_pence: number;
  standing_charge_pence: number;
}

export interface AppSchema {
  tariffs: TariffTable;
}
