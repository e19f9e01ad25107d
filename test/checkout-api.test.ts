/**
 * Integration test of the checkout API: the real service on an ephemeral port (in-memory SQLite),
 * spoken to with fetch — POST /api/v1/checkout stores, analyses and queries; GET lists sources.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/config.ts';
import { createService, type Service } from '../src/service.ts';

const CHECKOUT_2 = fileURLToPath(new URL('../../shared/data/cloudwalk/checkout_2.csv', import.meta.url));

/** A plausible day: today tracks the baselines hour by hour (no anomaly to find). */
function syntheticCsv(): string {
  const lines = ['time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month'];
  for (let h = 0; h < 24; h++) {
    // Busy from 8h to 20h, quiet at night.
    const level = h >= 8 && h <= 20 ? 40 + 10 * Math.sin((h - 8) / 12 * Math.PI) : 3;
    const today = Math.round(level + ((h * 7) % 5) - 2);
    lines.push(`${String(h).padStart(2, '0')}h,${today},${Math.round(level)},${Math.round(level + 1)},${level.toFixed(2)},${(level * 0.98).toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

interface Res { status: number; body: any }

describe('checkout API', () => {
  let service: Service;
  let url: string;
  before(async () => {
    service = await createService({ config: resolveConfig({ server: { port: 0 }, store: { url: ':memory:' } }, {}) });
    url = await service.listen();
  });
  after(async () => {
    await service?.close();
  });

  const postCsv = async (source: string, csv: string): Promise<Res> => {
    const res = await fetch(`${url}/api/v1/checkout?source=${encodeURIComponent(source)}`, {
      method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv,
    });
    return { status: res.status, body: await res.json() };
  };
  const listSources = async (): Promise<string[]> => {
    const res = await fetch(`${url}/api/v1/checkout`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { sources: Array<{ source: string }> }).sources.map((s) => s.source);
  };

  test('checkout_2.csv: 200, an outage episode within 15h–17h, chart and checkout_hourly rows', async (t) => {
    if (!existsSync(CHECKOUT_2)) {
      t.skip(`${CHECKOUT_2} absent`);
      return;
    }
    const csv = readFileSync(CHECKOUT_2, 'utf8');
    const res = await postCsv('checkout_2', csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { source, analysis, chart, query } = res.body;
    assert.equal(source, 'checkout_2');
    assert.equal(analysis.schema, 'txmon.checkout.v1');
    assert.equal(analysis.day.anomalous, true);
    const outages = (analysis.episodes as Array<{ kind: string; startHour: number; endHour: number }>).filter((e) => e.kind === 'outage');
    assert.ok(outages.some((e) => e.startHour <= 17 && e.endHour >= 15), `outage episodes: ${JSON.stringify(outages)}`);
    assert.ok(Array.isArray(chart.series) && chart.series.length > 0, 'chart is an ECharts option with series');
    assert.equal(query.length, 24);
    // The stored hours are the file's hours, read back through the named query.
    const fileHours = csv.trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(query.map((r: { hour: number }) => r.hour), fileHours.map((_, i) => i));
    assert.deepEqual(query.map((r: { today: number }) => r.today), fileHours.map((f) => Number(f[1])));
    assert.equal(query[15].diff_yesterday, Number(fileHours[15][1]) - Number(fileHours[15][2]));
    assert.ok((await listSources()).includes('checkout_2'));
  });

  test('a synthetic valid CSV: 200, stored, loading again replaces it', async () => {
    const csv = syntheticCsv();
    const res = await postCsv('pos-synthetic', csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.source, 'pos-synthetic');
    assert.equal(res.body.analysis.hours.length, 24);
    assert.equal(res.body.query.length, 24);
    const again = await postCsv('pos-synthetic', csv.replace(/^00h,\d+,/m, '00h,99,'));
    assert.equal(again.status, 200);
    assert.equal(again.body.query.length, 24, 'replaced, not appended');
    assert.equal(again.body.query[0].today, 99);
    assert.ok((await listSources()).includes('pos-synthetic'));
  });

  test('a bad CSV: 400 naming row and field, nothing stored', async () => {
    const bad = syntheticCsv().replace(/^05h,\d+,/m, '05h,-3,');
    const res = await postCsv('pos-bad', bad);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.error.code, /^TXMON_ERR_/);
    assert.equal(res.body.error.field, 'today');
    assert.equal(typeof res.body.error.row, 'number');
    assert.ok(!(await listSources()).includes('pos-bad'));
  });

  test('no source: 400; ?name= gives the source; not CSV: 415', async () => {
    const noSource = await fetch(`${url}/api/v1/checkout`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: syntheticCsv() });
    assert.equal(noSource.status, 400);
    assert.equal(((await noSource.json()) as { error: { field: string } }).error.field, 'source');
    // The upload page sends ?name=<file name>: the source is its base name without extension.
    const byName = await fetch(`${url}/api/v1/checkout?name=${encodeURIComponent('pos 12.csv')}`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: syntheticCsv() });
    assert.equal(byName.status, 200);
    assert.equal(((await byName.json()) as { source: string }).source, 'pos 12');
    const xml = await fetch(`${url}/api/v1/checkout?source=x`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    assert.equal(xml.status, 415);
  });
});
