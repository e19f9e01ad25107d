import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg } from '../report/render.ts';
import { analyzeCheckout } from './analyze.ts';
import { CHECKOUT_SERIES, checkoutChartOption } from './chart.ts';
import { synthesizeCheckout } from '../../test/helpers/checkoutSynthetic.ts';

const analysis = analyzeCheckout(synthesizeCheckout({ seed: 3, episodes: [{ start: 15, end: 17, factor: 0 }] }), 'pos-42');

test('the option is plain JSON (usable in the browser) with animation off', () => {
  const option = checkoutChartOption(analysis);
  assert.deepEqual(JSON.parse(JSON.stringify(option)), option, 'no functions, undefined or class instances');
  assert.equal((option as { animation?: boolean }).animation, false);
});

test('today and the four baselines are series; the outage is shaded and labelled', () => {
  const option = checkoutChartOption(analysis) as { series: Array<{ name: string; data: unknown[]; lineStyle?: { width?: number; type?: string }; markArea?: { data: Array<Array<{ name?: string; xAxis: number }>> } }> };
  const byName = new Map(option.series.map((s) => [s.name, s]));
  for (const name of Object.values(CHECKOUT_SERIES)) assert.ok(byName.has(name), name);
  const today = byName.get(CHECKOUT_SERIES.today)!;
  assert.deepEqual(today.data, analysis.hours.map((h) => h.observed));
  const baseline = byName.get(CHECKOUT_SERIES.yesterday)!;
  assert.ok(today.lineStyle!.width! > 2 * baseline.lineStyle!.width!, 'today is bold, baselines thin');
  assert.equal(baseline.lineStyle!.type, 'dashed');
  const areas = option.series.flatMap((s) => s.markArea?.data ?? []);
  assert.equal(areas.length, analysis.episodes.length);
  const outage = areas.find((a) => a[0].name?.startsWith('outage'));
  assert.ok(outage, 'outage area');
  assert.equal(outage[0].xAxis, analysis.episodes.find((e) => e.kind === 'outage')!.startHour - 0.5);
});

test('rendered SVG shows the title, series names and the episode label', () => {
  const svg = renderSvg(checkoutChartOption(analysis), { width: 960, height: 480 });
  for (const text of ['pos-42', 'today', 'yesterday', 'same day last week', 'avg last week', 'avg last month', 'outage']) assert.ok(svg.includes(text), text);
});
