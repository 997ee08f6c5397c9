/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`) driven by playwright-core. Without
 * Chromium the test says so and skips, except in CI, where it fails.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../sim/report';
import { fixtureReport } from '../unit/deploy/fixture-report';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (p): p is string => typeof p === 'string' && p !== '',
);
const executablePath = CANDIDATES.find((p) => existsSync(p));
const missing = `no Chromium found (looked for ${CANDIDATES.join(', ')}; Debian: apt-get install chromium)`;

if (!executablePath && !process.env.CI) {
  process.stderr.write(`test/browser/report.test.ts skipped: ${missing}\n`);
}

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!executablePath && !process.env.CI)('HTML report in headless Chromium', () => {
  it('renders the per-instance timeline: one track per instance with its state spans and decisions', async () => {
    if (!executablePath) throw new Error(`CI must run the browser test: ${missing}`);
    dir = await mkdtemp(path.join(tmpdir(), 'healthgate-report-'));
    const report = fixtureReport();
    const { html } = await writeReports(report, dir);
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(html).href);

      await expect(page.title()).resolves.toBe('healthgate — rollout (passed)');
      const tracks = page.locator('svg.timeline g.track');
      await expect(tracks.count()).resolves.toBe(report.instances.length);
      for (const instance of report.instances) {
        const track = page.locator(`svg.timeline g.track[data-instance="${instance.instanceId}"]`);
        await expect(track.locator('rect.span').count()).resolves.toBe(
          instance.states.filter((s) => s.state !== 'Terminated').length,
        );
        await expect(track.locator('circle.decision').count()).resolves.toBe(instance.decisions.length);
        // Laid out for real: the spans have a width on screen.
        const box = await track.locator('rect.span').first().boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(0);
      }
      await expect(page.locator('circle.decision.abandon').getAttribute('data-reason')).resolves.toBe(
        'NON_TRANSIENT_FAILURE',
      );
      await expect(page.locator('text=deploy v2 as web-v2').count()).resolves.toBe(1);
      // Self-contained: the page itself is the only request.
      expect(requests).toEqual([pathToFileURL(html).href]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
