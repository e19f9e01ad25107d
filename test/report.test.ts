/**
 * Panels, the dashboard endpoint and the server-side report: the chart options the browser gets
 * are the ones `txmon report` renders; expectations come from the model; text is escaped; PNG/SVG/
 * HTML are produced without a browser.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, minuteRows, post, startServer, warmupRows, type TestServer } from './helpers/server.ts';
import { panelOptions, PANEL_NAMES, sharesOption, volumeOption, type PanelData } from '../src/report/charts.ts';
import { buildDashboardView, loadPanelData } from '../src/report/panels.ts';
import { renderReport, reportSvg } from '../src/report/report.ts';
import { runReport } from '../src/cli/report.ts';
import { DetectionModel } from '../src/detect/model.ts';
import { TxmonError } from '../src/domain/errors.ts';

const T0 = Date.UTC(2025, 6, 1, 8, 0);
const XSS = '<img src=x onerror=alert(1)>';
const csv = (rows: Array<Record<string, unknown>>) => 'timestamp,scope,status,count\n' + rows.map((r) => `${r.timestamp},${r.scope ?? 'all'},${r.status},${r.count}`).join('\n') + '\n';

function emptyPanelData(): PanelData {
  return {
    scope: 'all', range: '6h', times: [], stepMinutes: 1, statuses: [], perMinute: {}, shares: {}, scores: [], severities: [], totals: {},
    hourShares: {}, timeZone: 'UTC', alerts: [], expected: [], shareThresholds: { failed: { warning: 0.05, critical: 0.1 } }, severityScore: { warning: 40, critical: 70 },
  };
}

describe('chart option builders', () => {
  test('with no data every panel still renders, saying "no data yet"', () => {
    const options = panelOptions(emptyPanelData());
    assert.deepEqual(Object.keys(options), [...PANEL_NAMES]);
    for (const [name, o] of Object.entries(options)) {
      assert.match(JSON.stringify((o as { graphic?: unknown }).graphic ?? ''), /no data yet/, name);
    }
  });

  test('share thresholds are drawn from the rule config; alerts become marked spans labelled by icon', () => {
    const d = emptyPanelData();
    d.times = [T0, T0 + 60_000];
    d.statuses = ['approved', 'failed'];
    d.perMinute = { approved: [100, 90], failed: [0, 9] };
    d.shares = { failed: [0, 0.09], denied: [null, null], reversed: [null, null] };
    d.alerts = [{ id: 7, rule: 'failed_share_high', severity: 'critical', state: 'firing', startsAt: T0 + 60_000, endsAt: null, summary: 's' }];
    const shares = sharesOption(d) as any;
    const failed = shares.series.find((s: any) => s.name === 'failed');
    assert.deepEqual(failed.markLine.data.map((m: any) => m.yAxis), [5, 10]);
    assert.deepEqual(failed.data[1], [T0 + 60_000, 9]);
    const vol = volumeOption(d) as any;
    const areas = vol.series.find((s: any) => s.name === 'alerts').markArea.data;
    assert.equal(areas.length, 1);
    assert.equal(areas[0][0].name, '▲', 'severity by icon (the subtitle says which icon is which)');
    assert.equal(areas[0][0].xAxis, T0 + 60_000);
    // Alerts starting together share one label (worst icon and count), so labels cannot overlap.
    d.alerts.push({ id: 8, rule: 'sales_low', severity: 'warning', state: 'firing', startsAt: T0 + 60_000, endsAt: null, summary: 's' });
    const two = (volumeOption(d) as any).series.find((s: any) => s.name === 'alerts').markArea.data;
    assert.deepEqual(two.map((a: any) => a[0].name), ['▲ 2', '']);
    // Threshold lines close together: not both labelled on the same side.
    d.shareThresholds = { failed: { warning: 0.05, critical: 0.1 }, denied: { warning: 0.06, critical: 0.3 }, reversed: { warning: 0.08, critical: 0.12 } };
    const labelled = (sharesOption(d) as any).series.flatMap((s: any) => s.markLine?.data ?? []).filter((m: any) => m.label.show)
      .map((m: any) => ({ v: m.yAxis, side: m.label.position })).sort((a: any, b: any) => a.v - b.v);
    for (const side of ['insideEndTop', 'insideStartTop']) {
      const vs = labelled.filter((l: any) => l.side === side).map((l: any) => l.v);
      for (let i = 1; i < vs.length; i++) assert.ok(vs[i] - vs[i - 1] >= 0.12 * 30, `labels ${vs[i - 1]} and ${vs[i]} on ${side} are apart`);
    }
    // Options are plain JSON (they travel to the browser): no functions anywhere.
    assert.deepEqual(JSON.parse(JSON.stringify(vol)), vol);
  });
});

describe('dashboard endpoint and report', () => {
  let srv: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'txmon-report-'));
    srv = await startServer();
    let res = await post(srv.url, '/api/v1/transactions', csv(warmupRows(T0, 90)));
    assert.equal(res.status, 200, res.text);
    // An anomalous minute: failures and denials jump, approvals drop.
    res = await post(srv.url, '/api/v1/transactions', csv(minuteRows(T0 + 90 * 60_000, { approved: 60, denied: 45, failed: 25, reversed: 1, refunded: 1 })));
    assert.equal(res.status, 200, res.text);
    // A hostile scope and status name.
    res = await post(srv.url, '/api/v1/transactions', [
      ...minuteRows(T0, { approved: 50, [XSS]: 3 }, XSS), ...minuteRows(T0 + 60_000, { approved: 52, [XSS]: 2 }, XSS),
    ]);
    assert.equal(res.status, 200, res.text);
  });
  after(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /api/v1/dashboard: every panel, KPI tiles, the alert, expectations from the model', async () => {
    const res = await get(srv.url, '/api/v1/dashboard?scope=all&range=6h');
    assert.equal(res.status, 200, res.text);
    const v = res.body;
    assert.deepEqual(Object.keys(v.charts), [...PANEL_NAMES]);
    assert.equal(v.empty, false);
    assert.equal(v.from, new Date(T0).toISOString());
    assert.equal(v.to, new Date(T0 + 91 * 60_000).toISOString());
    assert.deepEqual(v.kpis.map((k: any) => k.key), ['approval_rate', 'failure_rate', 'volume_vs_expected', 'open_alerts']);
    assert.equal(v.latest.minute, new Date(T0 + 90 * 60_000).toISOString());
    assert.equal(v.latest.severity, 'critical');
    assert.ok(v.alerts.length >= 1, 'the anomaly raised an alert');
    assert.ok(v.kpis[3].raw >= 1, 'open alerts counted');
    // Approval rate is computed from the stored counts.
    const approved = warmupRows(T0, 90).filter((r) => r.status === 'approved').reduce((a, r) => a + (r.count as number), 0) + 60;
    const total = warmupRows(T0, 90).reduce((a, r) => a + (r.count as number), 0) + 132;
    assert.ok(Math.abs(v.kpis[0].raw - approved / total) < 1e-9);
    // Expected values: none while the model warms up, then present (from the model's own baselines).
    const exp = v.charts.expected.series.find((s: any) => s.name === 'expected approved');
    assert.equal(exp.data[0][1], null);
    const lastExpected = exp.data[90][1];
    assert.ok(lastExpected > 100 && lastExpected < 135, `approved expected ≈ 116, got ${lastExpected}`);
  });

  test('range and scope validation', async () => {
    const bad = await get(srv.url, '/api/v1/dashboard?range=2h');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'TXMON_ERR_BAD_PARAMETER');
    const none = await get(srv.url, '/api/v1/dashboard?scope=nope');
    assert.equal(none.status, 200);
    assert.equal(none.body.empty, true);
    assert.match(JSON.stringify(none.body.charts.volume), /no data yet/);
  });

  test('GET /api/v1/config/rules exposes the running thresholds', async () => {
    const res = await get(srv.url, '/api/v1/config/rules');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.rules, srv.service.ctx.engine.model.config.rules);
    assert.deepEqual(res.body.severity_score, srv.service.ctx.engine.model.config.severityScore);
  });

  test('the report renders the same chart specifications the dashboard serves', async () => {
    const api = await get(srv.url, '/api/v1/dashboard?scope=all&range=all');
    const ctx = srv.service.ctx;
    const detect = ctx.engine.model.config;
    const loaded = await loadPanelData({ store: ctx.store, detect, timeZone: 'UTC', newModel: () => new DetectionModel(detect) }, { scope: 'all', range: 'all' });
    const view = buildDashboardView(loaded, detect);
    assert.deepEqual(JSON.parse(JSON.stringify(view.charts)), api.body.charts);
  });

  test('PNG, SVG and HTML from txmon report; hostile names are escaped', async () => {
    const png = join(dir, 'r.png');
    const r = await runReport({ out: png, db: srv.dbPath, range: 'all' });
    assert.equal(r.format, 'png');
    const bytes = readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(bytes.readUInt32BE(16), 1600, 'IHDR width');
    assert.ok(bytes.readUInt32BE(20) > 1500, 'IHDR height');
    assert.ok(bytes.length > 50_000, `a PNG with content, got ${bytes.length} bytes`);

    const svgPath = join(dir, 'x.svg');
    await runReport({ out: svgPath, db: srv.dbPath, scope: XSS, range: 'all' });
    const svg = readFileSync(svgPath, 'utf8');
    assert.ok(svg.startsWith('<svg'));
    assert.ok(!svg.includes('<img'), 'no raw markup from data in the SVG');
    assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the scope is shown as text');
    for (const title of ['Transactions per minute by status', 'Anomaly score', 'Status distribution']) assert.ok(svg.includes(title), title);

    const htmlPath = join(dir, 'x.html');
    await runReport({ out: htmlPath, db: srv.dbPath, scope: XSS, from: new Date(T0).toISOString(), to: new Date(T0 + 2 * 60_000).toISOString() });
    const html = readFileSync(htmlPath, 'utf8');
    assert.ok(!html.includes('<img'), 'no raw markup from data in the HTML');
    assert.ok(!/<script/i.test(html), 'the HTML report carries no script');
  });

  test('report input errors are precise', async () => {
    await assert.rejects(runReport({ out: join(dir, 'r.pdf'), db: srv.dbPath }), (e: unknown) => e instanceof TxmonError && /--out must end in \.png, \.svg or \.html/.test(e.message));
    await assert.rejects(runReport({ out: join(dir, 'r.png'), db: srv.dbPath, from: 'yesterday' }), (e: unknown) => e instanceof TxmonError && /--from must be a timestamp/.test(e.message));
    await assert.rejects(runReport({ out: join(dir, 'r.png'), db: srv.dbPath, range: '2d' }), (e: unknown) => e instanceof TxmonError && /--range must be one of/.test(e.message));
  });

  test('an empty store renders a report that says so', async () => {
    const view = buildDashboardView(await loadPanelData({
      store: srv.service.ctx.store, detect: srv.service.ctx.engine.model.config, timeZone: 'UTC', newModel: () => new DetectionModel(),
    }, { scope: 'nobody' }), srv.service.ctx.engine.model.config);
    const svg = reportSvg(view);
    assert.ok(svg.includes('no data yet'));
    assert.ok((renderReport(view, 'png') as Buffer).length > 10_000);
  });
});
