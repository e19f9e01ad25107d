/**
 * The dashboard on a token-protected server (issue #13 item 4), in Chromium: the live stream is
 * opened with a short-lived ticket, never with the API token in the URL, and goes live.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { minuteRows, normalMinute, post, startServer, type TestServer } from './helpers/server.ts';

const CHROMIUM = process.env.TXMON_TEST_CHROMIUM ?? process.env.TXMON_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set TXMON_TEST_CHROMIUM)`;
const TOKEN = 'dashboard-read-token-0123456789';
const ADMIN = 'dashboard-admin-token-0123456789';

describe('dashboard with API tokens in Chromium', { skip: SKIP }, () => {
  let srv: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const urls: string[] = [];

  before(async () => {
    srv = await startServer({ env: { TXMON_API_TOKENS: `${TOKEN}:read,${ADMIN}:admin` }, host: '127.0.0.1' });
    const t0 = (Math.floor(Date.now() / 60_000) - 30) * 60_000;
    const rows = [];
    for (let i = 0; i < 20; i++) rows.push(...minuteRows(t0 + i * 60_000, normalMinute(i)));
    assert.equal((await post(srv.url, '/api/v1/transactions', rows, { token: ADMIN })).status, 200);
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'txmon-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await context.addInitScript((token) => { localStorage.setItem('txmon.token', token); }, TOKEN);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => urls.push(r.url()));
  });

  after(async () => {
    await context?.close();
    await srv?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the live stream opens with a ticket; the token never appears in a URL', async () => {
    await page.goto(`${srv.url}/?scope=all&range=1h`);
    await page.waitForSelector('#live.ok', { timeout: 10_000 });
    const stream = urls.filter((u) => u.includes('/api/v1/events?'));
    assert.ok(stream.length >= 1, `stream requests: ${urls.join(' ')}`);
    assert.match(stream[0], /[?&]ticket=\d+\.read\./);
    for (const u of urls) assert.ok(!u.includes(TOKEN), `token in URL ${u}`);
  });
});
