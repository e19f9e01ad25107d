import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg } from '../report/render.ts';
import { analyzeCheckout } from './analyze.ts';
import { checkoutChartOption } from './chart.ts';
import { CHECKOUT_REPORT_SCHEMA, checkoutReportHtml, checkoutReportJson, checkoutReportMarkdown, escapeHtml } from './report.ts';
import { synthesizeCheckout } from '../../test/helpers/checkoutSynthetic.ts';

const hostile = 'pos <script>alert("x")</script> & | co';
const analysis = analyzeCheckout(synthesizeCheckout({ seed: 4, episodes: [{ start: 9, end: 10, factor: 0 }] }), hostile);
const quiet = analyzeCheckout(synthesizeCheckout({ seed: 4 }), 'quiet');

test('markdown: verdict, episode table, hour table, chart link; table cells escaped', () => {
  const md = checkoutReportMarkdown(analysis, { chartPath: 'my chart.png' });
  assert.match(md, /\*\*Verdict: ANOMALOUS \(critical\)\.\*\*/);
  assert.match(md, /\| 09h–10h \| outage \| critical \|/);
  assert.ok(md.includes('](my%20chart.png)'));
  assert.equal(md.split('\n').filter((l) => /^\| \d\dh \|/.test(l)).length, 24);
  assert.ok(!md.includes('<script>'), 'HTML in the source name is escaped');
  assert.match(checkoutReportMarkdown(quiet), /Verdict: no anomaly/);
});

test('html: self-contained, inline SVG, all text escaped', () => {
  const svg = renderSvg(checkoutChartOption(analysis), { width: 800, height: 400 });
  const html = checkoutReportHtml(analysis, svg);
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes('<svg'));
  assert.ok(!/<script/i.test(html), 'no script element, even from a hostile source name');
  assert.ok(html.includes(escapeHtml(hostile)));
  assert.ok(!/(src|href)=["']?(https?:)?\/\//i.test(html), 'no external assets');
  assert.ok(!/<link\b/i.test(html));
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('json: schema tag, verdict, episodes, 24 hours; round-trips', () => {
  const doc = JSON.parse(checkoutReportJson(analysis));
  assert.equal(doc.schema, CHECKOUT_REPORT_SCHEMA);
  assert.equal(doc.source, hostile);
  assert.equal(doc.day.anomalous, true);
  assert.equal(doc.episodes[0].kind, 'outage');
  assert.equal(doc.hours.length, 24);
  assert.equal(typeof doc.hours[0].pValue, 'number');
  assert.equal(checkoutReportJson(analysis), checkoutReportJson(analysis), 'same bytes twice');
});
