import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { AppDatabase } from './db/database';
import type { TariffTable } from './db/schema';
import { type Faults, InjectedFaultError } from './faults';

/** Text the home page always contains; the deep health's page check looks for it. */
export const HOME_MARKER = '<h1>Energy tariffs</h1>';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The home page (pure): an HTML list of tariffs. */
export function renderHome(tariffs: readonly TariffTable[]): string {
  const items = tariffs
    .map(
      (t) =>
        `<li data-code="${escapeHtml(t.code)}">${escapeHtml(t.name)} (${escapeHtml(t.fuel)}): ` +
        `${Number(t.unit_rate_pence).toFixed(2)} p/kWh, standing charge ${Number(t.standing_charge_pence).toFixed(2)} p/day</li>`,
    )
    .join('\n    ');
  const list = tariffs.length > 0 ? `<ul>\n    ${items}\n  </ul>` : '<p>No tariffs yet.</p>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Energy tariffs</title></head>
<body>
  ${HOME_MARKER}
  ${list}
</body>
</html>
`;
}

/** Registers `GET /`: the tariffs, read from the database at each request. */
export function registerHome(app: FastifyInstance, deps: { database: AppDatabase; faults: Faults }): void {
  app.get('/', async (_request, reply) => {
    if (deps.faults.homeDelayMs > 0) {
      await sleep(deps.faults.homeDelayMs);
    }
    if (deps.faults.brokenHome) {
      throw new InjectedFaultError('brokenHome');
    }
    const tariffs = await deps.database.db
      .selectFrom('tariffs')
      .selectAll()
      .orderBy('fuel')
      .orderBy('name')
      .execute();
    return reply.type('text/html; charset=utf-8').send(renderHome(tariffs));
  });
}
