/**
 * The POS checkout page: uploads each CSV to POST /api/v1/checkout and shows what it returns —
 * the verdict, the conclusion in plain words, the episodes, and the chart (an ECharts option built
 * on the server by src/report/checkout/chart.ts, the same one the checkout report renders).
 */
import { api, ApiError, h, replaceChildren, severityBadge } from './dom.js';

const $ = (id) => document.getElementById(id);

function banner(text) {
  const el = $('banner');
  el.hidden = !text;
  el.className = 'banner error';
  el.textContent = text ?? '';
}

const fmt = (x) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : String(x ?? '—'));
const pctChange = (r) => (typeof r === 'number' && Number.isFinite(r) ? `${r >= 1 ? '+' : ''}${Math.round((r - 1) * 100)}%` : '—');

/** The chart option in the response, whichever name the endpoint gives it. */
function chartOf(result) {
  if (result.chart && typeof result.chart === 'object') return result.chart;
  if (result.option && typeof result.option === 'object') return result.option;
  if (Array.isArray(result.charts) && result.charts[0]) return result.charts[0].option ?? result.charts[0];
  return null;
}

function renderResult(result, fileName) {
  // POST /api/v1/checkout answers { source, analysis, chart, query }; accept a bare analysis too.
  const a = result.analysis && typeof result.analysis === 'object' ? result.analysis : result;
  const chartEl = h('div', { className: 'chart', data: { file: fileName } });
  const episodes = a.episodes ?? [];
  const card = h('section', { className: 'card checkout-result', data: { file: fileName } },
    h('h2', {}, `${result.source ?? a.source ?? fileName}`),
    h('p', { className: 'verdict' }, a.verdict ?? (a.day?.anomalous ? `ANOMALOUS (${a.day.severity})` : 'no anomaly')),
    h('p', {}, a.conclusion ?? ''),
    chartEl,
    episodes.length === 0 ? h('p', { className: 'empty' }, 'No anomalous hours.') : h('div', { className: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Hours', 'Kind', 'Severity', 'Today', 'Expected', 'Change', 'Sales lost / extra', 'Explanation'].map((t) => h('th', {}, t)))),
      h('tbody', {}, episodes.map((e) => h('tr', {},
        h('td', {}, e.label ?? `${e.startHour}–${e.endHour}`), h('td', {}, e.kind ?? ''), h('td', {}, severityBadge(e.severity ?? 'none')),
        h('td', {}, fmt(e.observed)), h('td', {}, fmt(e.expected)), h('td', {}, pctChange(e.ratio)),
        h('td', {}, e.impact ? `${fmt(e.impact.estimate)} (${fmt(e.impact.low)}–${fmt(e.impact.high)})` : '—'),
        h('td', {}, e.message ?? '')))))));
  $('results').append(card);
  const option = chartOf(result);
  if (option && window.echarts) {
    const chart = window.echarts.init(chartEl, null, { renderer: 'canvas' });
    chart.setOption(option, { notMerge: true });
    window.addEventListener('resize', () => chart.resize());
    chartEl.dataset.rendered = 'true';
  } else {
    chartEl.replaceWith(h('p', { className: 'empty' }, 'The server returned no chart for this file.'));
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
      const body = await api(`/api/v1/checkout?name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
      const results = Array.isArray(body?.results) ? body.results : [body];
      for (const r of results) renderResult(r, file.name);
    } catch (err) {
      banner(err instanceof ApiError && err.status === 404 && /no route/.test(err.message)
        ? 'The checkout analysis endpoint is not available on this server (POST /api/v1/checkout).'
        : `${file.name}: ${err.message}`);
    }
  }
  status.textContent = files.length ? `${files.length} file(s) analysed` : '';
});
