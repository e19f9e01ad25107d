/**
 * The checkout report in three forms: Markdown (for people and issues), self-contained HTML (inline
 * SVG chart, inline CSS, no external assets, all text escaped) and JSON (for machines). Pure: the
 * analysis (and the already rendered SVG) in, text out.
 */
import { SEVERITY_RANK } from '../domain/types.ts';
import { fmtCount, fmtP, type CheckoutAnalysis, type Episode, type HourAssessment } from './analyze.ts';
import { BASELINE_NAMES } from './parse.ts';

/** Version tag of the JSON report; bump when a field changes meaning. */
export const CHECKOUT_REPORT_SCHEMA = 'txmon.checkout.v1';

function pct(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const p = Math.round((ratio - 1) * 100);
  return `${p > 0 ? '+' : ''}${p}%`;
}

function verdictLine(a: CheckoutAnalysis): string {
  return a.day.anomalous ? `ANOMALOUS (${a.day.severity})` : 'no anomaly';
}

function impactText(e: Episode): string {
  const what = e.direction === 'down' ? 'lost' : 'extra';
  return `${fmtCount(e.impact.estimate)} ${what} (${fmtCount(e.impact.low)}–${fmtCount(e.impact.high)})`;
}

interface Table {
  head: string[];
  rows: string[][];
}

function episodeTable(a: CheckoutAnalysis): Table {
  return {
    head: ['hours', 'kind', 'severity', 'today', 'expected', 'change', 'p-value', 'score', 'sales lost / extra (95% range)', 'near-zero'],
    rows: a.episodes.map((e) => [
      e.label, e.kind, e.severity, fmtCount(e.observed), fmtCount(e.expected), `${pct(e.ratio)} (${e.delta > 0 ? '+' : ''}${fmtCount(e.delta)})`,
      fmtP(e.pValue), String(e.score), impactText(e), e.nearZeroLabel ?? '',
    ]),
  };
}

function hourTable(a: CheckoutAnalysis): Table {
  const mark = (h: HourAssessment): string => (h.episode === null ? '' : `${a.episodes[h.episode].kind} (${a.episodes[h.episode].severity})`);
  return {
    head: ['hour', 'today', 'expected', '95% band', 'yesterday', 'same day last week', 'avg last week', 'avg last month', 'p (one-sided)', 'episode'],
    rows: a.hours.map((h) => [
      h.label, String(h.observed), fmtCount(h.expected), `${h.band[0]}–${h.band[1]}`,
      ...BASELINE_NAMES.map((k) => String(h.baselines[k])), fmtP(h.pValue), mark(h),
    ]),
  };
}

function methodLines(a: CheckoutAnalysis): string[] {
  const m = a.model;
  return [
    `Averages scaled to the level of a single day (${fmtCount(m.referenceLevel)} sales, the mean of yesterday and same day last week): avg last week × ${m.calibration.avg_last_week.toFixed(2)}, avg last month × ${m.calibration.avg_last_month.toFixed(2)}.`,
    'Expected sales per hour: mean of the two middle values of the four calibrated baselines (one odd baseline is outvoted).',
    `Test: negative binomial, overdispersion α = ${m.dispersion.toFixed(3)} estimated from how the baselines predict each other (${m.dispersionHours} busy hours), plus each hour's baseline spread.`,
    `Thresholds: warning p < ${m.options.pWarning}, critical p < ${m.options.pCritical}; at least ${m.options.minAbsDelta} sales and ${Math.round(m.options.minRelDelta * 100)}% off; near-zero sales over hours expecting ≥ ${m.options.minOutageExpected} sales is an outage (critical). See docs/checkout.md.`,
  ];
}

// ---------------------------------------------------------------- Markdown

function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(t: Table): string {
  const line = (cells: string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(t.head), line(t.head.map(() => '---')), ...t.rows.map(line)].join('\n');
}

function mdText(text: string): string {
  // Keep analyst-facing text literal: escape Markdown control characters.
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

export interface MarkdownOptions {
  /** Relative path of the chart image to embed (e.g. "checkout_2.png"); omitted when absent. */
  chartPath?: string;
}

/** The report as Markdown. */
export function checkoutReportMarkdown(a: CheckoutAnalysis, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`# Checkout report: ${mdText(a.source)}`, '');
  out.push(`**Verdict: ${verdictLine(a)}.** ${mdText(a.conclusionDetails.join(' '))}`, '');
  if (options.chartPath) out.push(`![Today against the baselines, ${mdText(a.source)}](${encodeURI(options.chartPath)})`, '');
  out.push('## Episodes', '');
  out.push(a.episodes.length === 0 ? 'None: every hour is within the normal range.' : mdTable(episodeTable(a)), '');
  if (a.baselineNotes.length > 0) {
    out.push('## Baseline notes', '');
    for (const n of a.baselineNotes) out.push(`- ${mdText(n.message)}`);
    out.push('');
  }
  out.push('## Hours', '', mdTable(hourTable(a)), '');
  out.push('## Method', '');
  for (const l of methodLines(a)) out.push(`- ${mdText(l)}`);
  out.push('');
  return out.join('\n');
}

// ---------------------------------------------------------------- HTML

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function htmlTable(t: Table, rowClass?: (i: number) => string): string {
  const head = `<tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r, i) => `<tr${rowClass ? ` class="${rowClass(i)}"` : ''}>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
  return `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
.verdict{padding:.75rem 1rem;border-left:6px solid #009E73;background:#f3f8f6}
.verdict.warning{border-color:#E69F00;background:#fdf7ea}.verdict.critical{border-color:#D55E00;background:#fcf0e8}
table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:right}
th:first-child,td:first-child{text-align:left}tr.anomalous td{background:#fcf0e8}
.chart svg{max-width:100%;height:auto}`;

/**
 * The report as one self-contained HTML page.
 * @param svg the chart rendered by renderSvg (trusted: produced by ECharts, which escapes its text)
 */
export function checkoutReportHtml(a: CheckoutAnalysis, svg: string): string {
  const cls = a.day.anomalous ? a.day.severity : 'ok';
  const parts: string[] = [];
  parts.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">');
  parts.push(`<title>${escapeHtml(`Checkout report: ${a.source}`)}</title>`);
  parts.push(`<style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(`Checkout report: ${a.source}`)}</h1>`);
  parts.push(`<p class="verdict ${escapeHtml(cls)}"><strong>${escapeHtml(`Verdict: ${verdictLine(a)}.`)}</strong> ${escapeHtml(a.conclusionDetails.join(' '))}</p>`);
  parts.push(`<div class="chart">${svg}</div>`);
  parts.push('<h2>Episodes</h2>');
  parts.push(a.episodes.length === 0 ? '<p>None: every hour is within the normal range.</p>' : htmlTable(episodeTable(a)));
  if (a.baselineNotes.length > 0) {
    parts.push('<h2>Baseline notes</h2><ul>');
    for (const n of a.baselineNotes) parts.push(`<li>${escapeHtml(n.message)}</li>`);
    parts.push('</ul>');
  }
  parts.push('<h2>Hours</h2>');
  parts.push(htmlTable(hourTable(a), (i) => {
    const e = a.hours[i].episode;
    return e !== null && SEVERITY_RANK[a.episodes[e].severity] >= SEVERITY_RANK.warning ? 'anomalous' : '';
  }));
  parts.push('<h2>Method</h2><ul>');
  for (const l of methodLines(a)) parts.push(`<li>${escapeHtml(l)}</li>`);
  parts.push('</ul></body></html>', '');
  return parts.join('\n');
}

// ---------------------------------------------------------------- JSON

/** The report for machines: the whole analysis under a schema tag, numbers to 6 significant digits. */
export function checkoutReportJson(a: CheckoutAnalysis): string {
  const doc = {
    schema: CHECKOUT_REPORT_SCHEMA,
    source: a.source,
    verdict: verdictLine(a),
    conclusion: a.conclusion,
    day: a.day,
    episodes: a.episodes,
    baselineNotes: a.baselineNotes,
    hours: a.hours,
    model: a.model,
  };
  return JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(6)) : v), 2) + '\n';
}
