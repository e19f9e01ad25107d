/**
 * Layout of the pages a new user sees first (issue #18 item 4), in Debian's Chromium through
 * playwright-core: the dashboard and the alert page at 390 px (a phone) and 1280 px, in the light
 * and the dark theme, and the HTML report at 1280 px. Each asserts no horizontal overflow and no
 * overlapping text boxes (page text and chart text, read from ECharts' scene), and saves the
 * screenshots the README shows (test-results/; with TXMON_UPDATE_SCREENSHOTS=1 into docs/img/). Skipped, with the reason, without Chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { get, minuteRows, normalMinute, post, startServer, type TestServer } from './helpers/server.ts';
import { DetectionModel } from '../src/detect/model.ts';
import { buildDashboardView, loadPanelData } from '../src/report/panels.ts';
import { reportHtml } from '../src/report/report.ts';

const CHROMIUM = process.env.TXMON_TEST_CHROMIUM ?? process.env.TXMON_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set TXMON_TEST_CHROMIUM)`;
// Screenshots go to test-results/; TXMON_UPDATE_SCREENSHOTS=1 writes the README's copies in docs/img/.
const IMG = new URL(process.env.TXMON_UPDATE_SCREENSHOTS === '1' ? '../docs/img/' : '../test-results/', import.meta.url);
const WIDTHS = [390, 1280] as const;
const THEMES = ['light', 'dark'] as const;

const T0 = (Math.floor(Date.now() / 60_000) - 200) * 60_000;
const at = (i: number) => T0 + i * 60_000;
const csv = (rows: Array<Record<string, unknown>>) => 'timestamp,scope,status,count\n' + rows.map((r) => `${r.timestamp},${r.scope ?? 'all'},${r.status},${r.count}`).join('\n') + '\n';

interface Box { text: string; x: number; y: number; w: number; h: number; where: string }

/** Pairs of text boxes that overlap by more than `tol` px in both directions. */
function overlaps(boxes: Box[], tol = 1.5): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]; const b = boxes[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > tol && dy > tol) out.push(`${a.where} "${a.text}" × ${b.where} "${b.text}" (${Math.round(dx)}×${Math.round(dy)} px)`);
    }
  }
  return out;
}

/** Text boxes of the page: one per text node (its client rects), visible ones only. */
async function domTextBoxes(page: Page, selector: string): Promise<Box[]> {
  return page.evaluate((sel) => {
    const boxes: Array<{ text: string; x: number; y: number; w: number; h: number; where: string }> = [];
    for (const root of Array.from(document.querySelectorAll(sel))) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = (n.textContent ?? '').trim();
        if (!text) continue;
        const el = n.parentElement!;
        if (el.closest('[hidden]') || getComputedStyle(el).visibility === 'hidden' || el.closest('canvas,svg,select,option,script,style')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of Array.from(range.getClientRects())) if (r.width > 0 && r.height > 0) boxes.push({ text: text.slice(0, 40), x: r.x, y: r.y, w: r.width, h: r.height, where: sel });
      }
    }
    return boxes;
  }, selector);
}

/** Text boxes ECharts drew in a chart (labels, titles, legends), from its scene graph. */
async function chartTextBoxes(page: Page, id: string): Promise<Box[]> {
  return page.evaluate((chartId) => {
    const echarts = (window as any).echarts;
    const chart = echarts.getInstanceByDom(document.getElementById(chartId));
    if (!chart) return [];
    const host = document.getElementById(chartId)!.getBoundingClientRect();
    const out: Array<{ text: string; x: number; y: number; w: number; h: number; where: string }> = [];
    for (const el of chart.getZr().storage.getDisplayList(true)) {
      if ((el.type !== 'tspan' && el.type !== 'text') || el.ignore || el.invisible || !el.style?.text) continue;
      if (el.style.opacity === 0) continue;
      // A text piece's own rect is as wide as the text but only a few px tall: take the height
      // from its font size and the top from its baseline, then place it with its transform.
      const r = el.getBoundingRect().clone();
      const m = el.getComputedTransform?.() ?? el.transform ?? [1, 0, 0, 1, 0, 0];
      r.applyTransform(m);
      const fs = Number((/(\d+(?:\.\d+)?)px/.exec(String(el.style.font ?? '')) ?? [0, 12])[1]);
      const base = el.style.textBaseline ?? 'alphabetic';
      const y0 = base === 'top' ? el.style.y : base === 'middle' ? el.style.y - fs / 2 : el.style.y - fs * 0.8;
      r.y = m[3] * (y0 ?? 0) + m[5];
      r.height = 0.9 * fs * m[3];
      // Text outside the chart (clipped legend pages) is not seen.
      if (r.x + r.width < 0 || r.y + r.height < 0 || r.x > host.width || r.y > host.height) continue;
      out.push({ text: String(el.style.text).slice(0, 40), x: r.x, y: r.y, w: r.width, h: r.height, where: chartId });
    }
    return out;
  }, id);
}

async function noOverflow(page: Page, what: string): Promise<void> {
  const { scroll, inner, widest } = await page.evaluate(() => {
    let widest = '';
    let max = 0;
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.right > max + 0.5 && !el.closest('.table-wrap')) { max = r.right; widest = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}`; }
    }
    return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, widest: `${widest} (${Math.round(max)} px)` };
  });
  assert.ok(scroll <= inner, `${what}: page lays out ${scroll} px wide in a ${inner} px viewport; widest element ${widest}`);
}

describe('layout at 390 px and 1280 px, light and dark', { skip: SKIP }, () => {
  let srv: TestServer;
  let browser: Browser;
  let alertId: number;

  before(async () => {
    // A receiver that is notified at once, so the alert page lists who was told and when.
    srv = await startServer({
      clockStart: Date.now(), // notification times read like a live server's
      config: {
        alerting: {
          receivers: [{ name: 'payments-oncall', log_configs: [{}] }],
          route: { receiver: 'payments-oncall', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m', repeat_interval: '4h' },
        },
      },
    });
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 180; i++) rows.push(...minuteRows(at(i), normalMinute(i)));
    assert.equal((await post(srv.url, '/api/v1/transactions', csv(rows))).status, 200);
    // Two incidents: a failed storm, then a denied burst with sales down.
    for (const [i, counts] of [[180, { ...normalMinute(180), failed: 45, approved: 60 }], [181, { ...normalMinute(181), failed: 40, approved: 55 }],
      [185, normalMinute(185)], [186, { ...normalMinute(186), denied: 60, approved: 40 }], [187, { ...normalMinute(187), denied: 55, approved: 42 }], [188, normalMinute(188)]] as const) {
      assert.equal((await post(srv.url, '/api/v1/transactions', csv(minuteRows(at(i), counts)))).status, 200);
    }
    const alerts = (await get(srv.url, '/api/v1/alerts')).body.alerts as Array<{ id: number }>;
    assert.ok(alerts.length >= 1, 'the incidents raised alerts');
    alertId = alerts[0].id;
    await new Promise((r) => setTimeout(r, 500)); // the delivery worker sends the notifications
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--font-render-hinting=none'],
    });
    mkdirSync(IMG, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  async function open(width: number, theme: 'light' | 'dark', path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: width < 600 ? 844 : 900 }, colorScheme: theme, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    assert.deepEqual(errors, []);
    return page;
  }

  for (const width of WIDTHS) {
    for (const theme of THEMES) {
      test(`dashboard at ${width} px, ${theme}: no overflow, no overlapping text, header agrees`, async () => {
        const page = await open(width, theme, '/?scope=all&range=6h');
        try {
          for (const name of ['volume', 'expected', 'shares', 'score', 'distribution', 'heatmap']) await page.waitForSelector(`#chart-${name}[data-rendered="true"] canvas`);
          await page.waitForTimeout(300);
          assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme, 'the theme follows prefers-color-scheme');
          await noOverflow(page, `dashboard ${width}px ${theme}`);
          const dom = await domTextBoxes(page, '.topbar');
          const kpis = await domTextBoxes(page, '#kpis');
          assert.deepEqual(overlaps(dom), [], 'header text');
          assert.deepEqual(overlaps(kpis), [], 'tiles');
          for (const name of ['volume', 'expected', 'shares', 'score', 'distribution', 'heatmap']) {
            const boxes = await chartTextBoxes(page, `chart-${name}`);
            assert.ok(boxes.length >= 3, `${name}: the chart's text was read (${boxes.length} boxes)`);
            assert.deepEqual(overlaps(boxes), [], `${name} chart text`);
          }
          // The header agrees with itself: open alerts → "N firing …", never "nothing" beside them.
          const open = (await get(srv.url, '/api/v1/alerts?state=open')).body.count as number;
          const status = await page.locator('#status-text').textContent();
          if (open > 0) assert.match(status ?? '', /\d+ (firing|pending): \w+ since \d\d:\d\d/);
          else assert.match(status ?? '', /all normal|no data/);
          await page.screenshot({ path: new URL(`dashboard-${width}-${theme}.png`, IMG).pathname, fullPage: false });
        } finally {
          await page.close();
        }
      });

      test(`alert page at ${width} px, ${theme}: no overflow, no overlapping text`, async () => {
        const page = await open(width, theme, `/alerts/${alertId}`);
        try {
          await page.waitForSelector('#chart-alert[data-rendered="true"] canvas');
          await page.waitForTimeout(200);
          await noOverflow(page, `alert page ${width}px ${theme}`);
          assert.deepEqual(overlaps(await domTextBoxes(page, '.topbar')), [], 'header text');
          assert.deepEqual(overlaps(await domTextBoxes(page, '#evidence')), [], 'evidence text');
          const boxes = await chartTextBoxes(page, 'chart-alert');
          assert.ok(boxes.some((b) => b.text.startsWith('alert #')), `the alert span is labelled: ${boxes.map((b) => b.text).join(' | ')}`);
          assert.deepEqual(overlaps(boxes), [], 'chart text');
          assert.ok(await page.locator('#history tbody tr').count() >= 1, 'state history shown');
          assert.match(await page.locator('#evidence').textContent() ?? '', /expected/);
          assert.match(await page.locator('#notified').textContent() ?? '', /payments-oncall\/log\[0\].*delivered/, 'the receiver notified and when');
          await page.screenshot({ path: new URL(`alert-${width}-${theme}.png`, IMG).pathname, fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }

  test('the theme toggle switches and remembers; the demo banner says the clock is simulated', async () => {
    const page = await open(390, 'light', '/');
    try {
      await page.waitForSelector('#chart-expected[data-rendered="true"] canvas');
      await page.click('#theme-toggle');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      // Charts are redrawn in the new theme and keep their narrow layout (no overlapping captions).
      await page.waitForTimeout(200);
      assert.deepEqual(overlaps(await chartTextBoxes(page, 'chart-expected')), [], 'expected chart after the toggle');
      await page.click('#theme-toggle');
      await page.waitForTimeout(200);
      assert.deepEqual(overlaps(await chartTextBoxes(page, 'chart-expected')), [], 'expected chart after toggling back');
      await page.click('#theme-toggle');
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'remembered');
      assert.equal(await page.locator('#demo').isHidden(), true, 'no demo badge outside demo mode');
      srv.service.ctx.demo = { intervalMs: 2000 };
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      assert.match(await page.locator('#demo').textContent() ?? '', /simulated clock, 30× real time/);
      const icon = await get(srv.url, '/favicon.ico');
      assert.equal(icon.status, 200);
      assert.equal(await page.locator('link[rel="icon"]').count(), 1);
    } finally {
      delete srv.service.ctx.demo;
      await page.close();
    }
  });

  test('HTML report at 1280 px: no horizontal overflow', async () => {
    const ctx = srv.service.ctx;
    const detect = ctx.engine.model.config;
    const loaded = await loadPanelData({ store: ctx.store, detect, timeZone: 'UTC', newModel: () => new DetectionModel(detect) }, { scope: 'all', range: 'all' });
    const dir = mkdtempSync(join(tmpdir(), 'txmon-report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, reportHtml(buildDashboardView(loaded, detect)));
      for (const theme of THEMES) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
        try {
          await page.goto(`file://${file}`);
          await noOverflow(page, `report 1280px ${theme}`);
          if (theme === 'light') await page.screenshot({ path: new URL('report-1280.png', IMG).pathname, fullPage: false });
        } finally {
          await page.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
