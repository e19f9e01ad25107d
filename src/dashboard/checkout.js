/**
 * The POS checkout page: uploads each CSV to POST /api/v1/checkout and shows what it returns —
 * the verdict, the conclusion in plain words, the episodes, and the chart (an ECharts option built
 * on the server by src/checkout/chart.ts, the same one the checkout report renders).
 */
import { api, h, replaceChildren, severityBadge } from './dom.js';

const $ = (id) => document.getElementById(id);

function banner(text) {
  const el = $('banner');
  el.hidden = !text;
  el.className = 'banner error';
  el.textContent = text ?? '';
}

const fmt = (x) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : String(x ?? '—'));
const pctChange = (r) => (typeof r === 'number' && Number.isFinite(r) ? `${r >= 1 ? '+' : ''}${Math.round((r - 1) * 100)}%` : '—');

function renderResult(result, fileName) {
  // POST /api/v1/checkout answers { source, analysis, chart, query } (src/api/routes/checkout.ts);
  // `analysis` is the checkout report JSON (txmon.checkout.v1), `chart` an ECharts option.
  const a = result.analysis;
  const chartEl = h('div', { className: 'chart', data: { file: fileName } });
  const card = h('section', { className: 'card checkout-result', data: { file: fileName } },
    h('h2', {}, result.source),
    h('p', { className: 'verdict' }, a.verdict),
    h('p', {}, a.conclusion),
    chartEl,
    a.episodes.length === 0 ? h('p', { className: 'empty' }, 'No anomalous hours.') : h('div', { className: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Hours', 'Kind', 'Severity', 'Today', 'Expected', 'Change', 'Sales lost / extra', 'Explanation'].map((t) => h('th', {}, t)))),
      h('tbody', {}, a.episodes.map((e) => h('tr', {},
        h('td', {}, e.label), h('td', {}, e.kind), h('td', {}, severityBadge(e.severity)),
        h('td', {}, fmt(e.observed)), h('td', {}, fmt(e.expected)), h('td', {}, pctChange(e.ratio)),
        h('td', {}, `${fmt(e.impact.estimate)} (${fmt(e.impact.low)}–${fmt(e.impact.high)})`),
        h('td', {}, e.message)))))));
  $('results').append(card);
  if (window.echarts) {
    const chart = window.echarts.init(chartEl, null, { renderer: 'canvas' });
    chart.setOption(result.chart, { notMerge: true });
    window.addEventListener('resize', () => chart.resize());
    chartEl.dataset.rendered = 'true';
  } else {
    chartEl.replaceWith(h('p', { className: 'empty' }, 'The chart library did not load; the findings above stand.'));
  }
}

$('checkout-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  banner(null);
  replaceChildren($('results'));
  const files = [...$('checkout-files').files];
  const status = $('checkout-status');
  for (const file of files) {
    status.textContent = `analysing ${file.name}…`;
    try {
      renderResult(await api(`/api/v1/checkout?name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() }), file.name);
    } catch (err) {
      banner(`${file.name}: ${err.message}`);
    }
  }
  status.textContent = files.length ? `${files.length} file(s) analysed` : '';
});
