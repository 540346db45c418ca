// Shared by browser tests: the real server on a free port over a fixture council, Chromium via
// playwright-core, and an axe-core scan that fails the test on any WCAG 2.x A/AA violation.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../support/fixture-council.ts';
import { createApp } from '../../src/web/app.ts';
import type { Db } from '../../src/db/database.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

export interface BrowserHarness {
  db: Db;
  f: FixtureCouncil;
  app: FastifyInstance;
  browser: Browser;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<BrowserHarness> {
  const db = await openTestDb();
  const f = await buildFixtureCouncil(db);
  const app = await createApp({ services: f.services, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: process.env.LEVY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    db, f, app, browser, baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await browser.close();
      await app.close();
      await db.close();
    },
  };
}

/** Runs axe-core on the page as it stands and fails with a readable list of violations. */
export async function assertAccessible(page: Page, label: string) {
  // evaluate() runs outside the page's CSP, so the scan works without loosening the policy.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `accessibility violations on ${label}`);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
