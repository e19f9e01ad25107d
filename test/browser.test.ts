/**
 * Browser tests of the dashboard: playwright-core drives Debian's Chromium (/usr/bin/chromium,
 * or TXMON_TEST_CHROMIUM) against the real service on an ephemeral port. Skipped, with the reason,
 * when the browser is absent. Saves test-results/dashboard.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { get, minuteRows, normalMinute, post, startServer, type TestServer } from './helpers/server.ts';

const CHROMIUM = process.env.TXMON_TEST_CHROMIUM ?? process.env.TXMON_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set TXMON_TEST_CHROMIUM)`;
const RESULTS = new URL('../test-results/', import.meta.url);
const XSS = '<img src=x onerror=alert(1)>';
const PANELS = ['volume', 'expected', 'shares', 'score', 'distribution', 'heatmap'];

// Data time: 90 normal minutes ending one minute before "now", so the page looks live.
const T0 = (Math.floor(Date.now() / 60_000) - 95) * 60_000;
const at = (i: number) => T0 + i * 60_000;
const csv = (rows: Array<Record<string, unknown>>) => 'timestamp,scope,status,count\n' + rows.map((r) => `${r.timestamp},${r.scope ?? 'all'},${r.status},${r.count}`).join('\n') + '\n';

describe('dashboard in Chromium', { skip: SKIP }, () => {
  let srv: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    srv = await startServer();
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 90; i++) rows.push(...minuteRows(at(i), normalMinute(i)));
    let res = await post(srv.url, '/api/v1/transactions', csv(rows));
    assert.equal(res.status, 200, res.text);
    // An earlier incident so the alerts table has something open.
    res = await post(srv.url, '/api/v1/transactions', csv(minuteRows(at(90), { approved: 70, denied: 40, failed: 20, reversed: 1, refunded: 1 })));
    assert.equal(res.status, 200, res.text);
    // A scope and a status with a hostile name.
    const hostile: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 40; i++) hostile.push(...minuteRows(at(i), { approved: 40 + (i % 5), [XSS]: 1 + (i % 2) }, XSS));
    hostile.push(...minuteRows(at(40), { approved: 20, [XSS]: 60 }, XSS));
    res = await post(srv.url, '/api/v1/transactions', csv(hostile));
    assert.equal(res.status, 200, res.text);

    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'txmon-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    // Everything must come from the txmon server itself (works offline).
    await context.route((url) => !url.href.startsWith(srv.url), (route) => { consoleErrors.push(`external request ${route.request().url()}`); return route.abort(); });
  });

  after(async () => {
    await context?.close();
    await srv?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const ready = async (p: Page) => p.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });

  test('the page loads with data and every panel renders; screenshot saved', async () => {
    await page.goto(`${srv.url}/?scope=all&range=6h`);
    await ready(page);
    for (const name of PANELS) {
      await page.waitForSelector(`#chart-${name}[data-rendered="true"] canvas`, { timeout: 5000 });
    }
    assert.equal(await page.locator('#kpis .kpi').count(), 4);
    assert.match(await page.locator('[data-kpi="approval_rate"] .value').textContent() ?? '', /^\d+\.\d%$/);
    assert.ok(await page.locator('#alerts tbody tr').count() >= 1, 'alerts table has the incident');
    assert.match(await page.locator('#alerts tbody tr').first().locator('.sev').textContent() ?? '', /^[▲◆●] (critical|warning|info)$/);
    assert.equal(await page.locator('#banner').isHidden(), true, 'no error or empty banner');
    await page.waitForSelector('#live.ok', { timeout: 3000 });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', RESULTS).pathname, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });

  test('a new anomalous minute shows on the page within 2 s without reload', async (t) => {
    await page.goto(`${srv.url}/?scope=all&range=1h`);
    await ready(page);
    await page.waitForSelector('#live.ok', { timeout: 3000 });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const minute = new Date(at(91)).toISOString();
    const started = Date.now();
    const res = await post(srv.url, '/api/v1/transactions', csv(minuteRows(at(91), { approved: 50, denied: 55, failed: 30, reversed: 1, refunded: 1 })));
    assert.equal(res.status, 200, res.text);
    await page.waitForSelector(`#latest-minute[datetime="${minute}"]`, { timeout: 2000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `shown after ${elapsed} ms`);
    t.diagnostic(`POST → shown on the page: ${elapsed} ms`);
    assert.match(await page.locator('#latest-severity').textContent() ?? '', /critical/);
    assert.deepEqual(navigations, [], 'no reload');
    // The panels follow: the score chart now ends at the new minute.
    await page.waitForFunction((m) => {
      const chart = (window as any).echarts.getInstanceByDom(document.getElementById('chart-score'));
      const data = chart?.getOption().series[0].data ?? [];
      return data.length > 0 && data[data.length - 1][0] === Date.parse(m);
    }, minute, { timeout: 2000 });
    assert.deepEqual(consoleErrors, []);
  });

  test('an alert can be silenced from the page, then expired', async () => {
    await page.goto(`${srv.url}/?scope=all&range=6h`);
    await ready(page);
    const row = page.locator('#alerts tbody tr:not([data-state="resolved"])').first();
    const alertId = await row.getAttribute('data-alert-id');
    assert.ok(alertId, 'an open alert to silence');
    await row.locator('[data-action="silence"]').click();
    await page.waitForSelector(`#detail[data-alert-id="${alertId}"]:not([hidden])`);
    assert.ok(await page.locator('#detail-history tbody tr').count() >= 1, 'the detail view shows the alert history');
    await page.fill('#silence-author', 'browser-test');
    await page.fill('#silence-comment', 'looking into it');
    await page.click('#silence-submit');
    await page.waitForFunction(() => (document.getElementById('silence-result')?.textContent ?? '').startsWith('✓'), null, { timeout: 3000 });
    const alert = (await get(srv.url, `/api/v1/alerts/${alertId}`)).body;
    const list = (await get(srv.url, '/api/v1/silences')).body.silences as any[];
    const mine = list.find((s) => s.createdBy === 'browser-test');
    assert.ok(mine, `silence created: ${JSON.stringify(list)}`);
    assert.equal(mine.comment, 'looking into it');
    assert.deepEqual(Object.fromEntries(mine.matchers.map((m: any) => [m.name, m.value])), alert.labels);
    const stateOf = (s: any) => s.state ?? s.status?.state;
    assert.ok(['active', 'pending'].includes(stateOf(mine)), `state ${stateOf(mine)}`);
    // Expire it from the silences list.
    await page.waitForSelector(`#silences tr[data-silence-id="${mine.id}"] [data-action="expire"]`);
    await page.click(`#silences tr[data-silence-id="${mine.id}"] [data-action="expire"]`);
    await page.waitForSelector(`#silences tr[data-silence-id="${mine.id}"]`, { state: 'detached', timeout: 3000 });
    const after = ((await get(srv.url, '/api/v1/silences')).body.silences as any[]).find((s) => s.id === mine.id);
    assert.equal(stateOf(after), 'expired');
    assert.deepEqual(consoleErrors, []);
  });

  test('a status or scope named <img src=x onerror=alert(1)> is shown as text, never run', async () => {
    await page.goto(`${srv.url}/?scope=${encodeURIComponent(XSS)}&range=all`);
    await ready(page);
    await page.waitForSelector('#chart-heatmap[data-rendered="true"] canvas');
    const selected = await page.locator('#scope').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent);
    assert.equal(selected, XSS);
    const alertsText = await page.locator('#alerts').textContent();
    const apiAlerts = (await get(srv.url, `/api/v1/alerts?scope=${encodeURIComponent(XSS)}`)).body.alerts as any[];
    if (apiAlerts.some((a) => a.labels.status === XSS)) assert.ok(alertsText?.includes(`status=${XSS}`), 'the hostile status is shown literally in the alerts table');
    // Open the detail of an alert of that scope, where labels and explanations are shown.
    if (apiAlerts.length) {
      await page.locator('#alerts [data-action="details"]').first().click();
      await page.waitForSelector('#detail:not([hidden])');
      assert.ok((await page.locator('#detail-fields').textContent())?.includes(XSS));
    }
    assert.equal(await page.locator('img').count(), 0, 'no element was created from the name');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.deepEqual(consoleErrors, []);
  });

  test('the checkout page uploads a CSV and shows the chart and findings', async (t) => {
    const file = new URL('../../shared/data/cloudwalk/checkout_1.csv', import.meta.url);
    if (!existsSync(file)) return t.skip('../shared/data/cloudwalk/checkout_1.csv absent');
    await page.goto(`${srv.url}/checkout`);
    await page.setInputFiles('#checkout-files', file.pathname);
    await page.click('#checkout-form button[type="submit"]');
    await page.waitForSelector('.checkout-result .chart[data-rendered="true"] canvas', { timeout: 5000 });
    assert.match(await page.locator('.checkout-result .verdict').textContent() ?? '', /anomal/i);
    assert.ok((await page.locator('.checkout-result p').nth(1).textContent() ?? '').length > 20, 'a conclusion in words');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: new URL('checkout.png', RESULTS).pathname, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });

  test('"store unreachable" when the server stops answering', async () => {
    await page.goto(`${srv.url}/?scope=all&range=1h`);
    await ready(page);
    await page.route('**/api/v1/dashboard*', (r) => r.abort('connectionrefused'));
    await page.route('**/health', (r) => r.abort('connectionrefused'));
    await page.locator('[data-range="6h"]').click();
    await page.waitForSelector('#banner.error:not([hidden])', { timeout: 3000 });
    assert.match(await page.locator('#banner').textContent() ?? '', /store unreachable/);
    await page.unroute('**/api/v1/dashboard*');
    await page.unroute('**/health');
    consoleErrors.length = 0; // the aborted requests log network errors by design
  });
});
