/**
 * The static monitoring report: the dashboard's main panels rendered on the server — no browser —
 * from the very same chart options (src/report/charts.ts via panels.ts), through the shared
 * renderer (src/report/render.ts: ECharts SSR → SVG → resvg → PNG).
 *
 * One page: title, KPI tiles, transactions by status with alerts, series vs expected, shares vs
 * thresholds, anomaly score, status distribution, status × hour heatmap, and the alerts in range.
 * Forms: SVG (one document), PNG (that SVG rasterised) and HTML (self-contained, inline SVG, every
 * data string escaped).
 */
import type { EChartsOption } from 'echarts';
import { renderSvg, svgToPng } from './render.ts';
import { SEVERITY_COLOR, SEVERITY_ICON, type PanelName, type PanelSeverity } from './charts.ts';
import type { DashboardView } from './panels.ts';

export type ReportFormat = 'svg' | 'png' | 'html';

/** Where each panel goes on the page (px), for a page `width` wide. */
interface Slot { panel: PanelName; x: number; y: number; width: number; height: number }

export interface ReportOptions {
  /** Page width in px (default 1600). */
  width?: number;
  /** Title line (default "txmon report"). */
  title?: string;
  /** PNG pixel density (default 1). */
  scale?: number;
}

/** Escapes text for XML/HTML (element content and quoted attributes). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const HEADER_H = 64;
const KPI_H = 96;
const GAP = 16;
const ALERT_LINE_H = 22;
const MAX_ALERT_LINES = 10;

function layout(width: number): { slots: Slot[]; chartsBottom: number } {
  const inner = width - 2 * GAP;
  const half = (inner - GAP) / 2;
  let y = HEADER_H + KPI_H + GAP;
  const slots: Slot[] = [];
  slots.push({ panel: 'volume', x: GAP, y, width: inner, height: 340 }); y += 340 + GAP;
  slots.push({ panel: 'expected', x: GAP, y, width: inner, height: 460 }); y += 460 + GAP;
  slots.push({ panel: 'shares', x: GAP, y, width: half, height: 330 }, { panel: 'score', x: GAP * 2 + half, y, width: half, height: 330 }); y += 330 + GAP;
  slots.push({ panel: 'distribution', x: GAP, y, width: half, height: 340 }, { panel: 'heatmap', x: GAP * 2 + half, y, width: half, height: 340 }); y += 340 + GAP;
  return { slots, chartsBottom: y };
}

/** Renders each chart panel of the view to its own SVG string (ECharts SSR), keyed by panel. */
export function panelSvgs(view: DashboardView, width = 1600): Map<PanelName, { svg: string; slot: Slot }> {
  const out = new Map<PanelName, { svg: string; slot: Slot }>();
  for (const slot of layout(width).slots) {
    const option = view.charts[slot.panel] as EChartsOption;
    out.set(slot.panel, { svg: renderSvg(option, { width: Math.round(slot.width), height: slot.height }), slot });
  }
  return out;
}

function rangeText(view: DashboardView): string {
  if (!view.from || !view.to) return 'no data yet';
  const f = (s: string) => `${s.slice(0, 16).replace('T', ' ')}`;
  return `${f(view.from)} – ${f(view.to)} UTC${view.step_minutes > 1 ? ` · ${view.step_minutes}-minute points` : ''}`;
}

function sevColor(s: PanelSeverity): string {
  return s === 'none' ? '#cccccc' : SEVERITY_COLOR[s];
}

/** The whole report as one SVG document. */
export function reportSvg(view: DashboardView, opts: ReportOptions = {}): string {
  const width = opts.width ?? 1600;
  const { chartsBottom } = layout(width);
  const alerts = view.alerts.slice(0, MAX_ALERT_LINES);
  const alertsH = 40 + Math.max(1, alerts.length) * ALERT_LINE_H + (view.alerts.length > alerts.length ? ALERT_LINE_H : 0);
  const height = chartsBottom + alertsH + GAP;
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${escapeXml(s)}</text>`;
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#f4f4f2"/>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${HEADER_H - 8}" fill="#222222"/>`);
  parts.push(text(GAP, 36, opts.title ?? 'txmon report', 'font-size="24" font-weight="bold" fill="#ffffff"'));
  parts.push(text(GAP + 260, 36, `scope ${view.scope} · ${rangeText(view)}`, 'font-size="16" fill="#dddddd"'));

  // KPI tiles: value, label, detail; severity by icon + word, the coloured edge only repeats it.
  const tileW = (width - GAP * (view.kpis.length + 1)) / Math.max(1, view.kpis.length);
  view.kpis.forEach((k, i) => {
    const x = GAP + i * (tileW + GAP);
    const y = HEADER_H;
    parts.push(`<rect x="${x}" y="${y}" width="${tileW}" height="${KPI_H}" fill="#ffffff" stroke="#d6d6d2"/>`);
    parts.push(`<rect x="${x}" y="${y}" width="8" height="${KPI_H}" fill="${sevColor(k.severity)}"/>`);
    parts.push(text(x + 20, y + 24, k.label, 'font-size="14" fill="#555555"'));
    parts.push(text(x + 20, y + 60, k.severity === 'none' ? k.value : `${SEVERITY_ICON[k.severity]} ${k.value} ${k.severity}`, 'font-size="30" font-weight="bold" fill="#1d1d1d"'));
    parts.push(text(x + 20, y + 84, k.detail.length > 70 ? `${k.detail.slice(0, 69)}…` : k.detail, 'font-size="12" fill="#555555"'));
  });

  for (const { svg, slot } of panelSvgs(view, width).values()) {
    parts.push(`<rect x="${slot.x}" y="${slot.y}" width="${slot.width}" height="${slot.height}" fill="#ffffff" stroke="#d6d6d2"/>`);
    // Nest the panel's own <svg> at its slot.
    parts.push(svg.replace(/^<svg\b/, `<svg x="${slot.x}" y="${slot.y}"`));
  }

  let y = chartsBottom + 24;
  parts.push(text(GAP, y, `Alerts in range (${view.alerts.length})`, 'font-size="18" font-weight="bold" fill="#1d1d1d"'));
  y += ALERT_LINE_H + 4;
  if (alerts.length === 0) parts.push(text(GAP, y, 'No alerts in this range.', 'font-size="14" fill="#555555" font-style="italic"'));
  for (const a of alerts) {
    const sev = (a.severity in SEVERITY_ICON ? a.severity : 'none') as PanelSeverity;
    parts.push(text(GAP, y, `${SEVERITY_ICON[sev]} ${a.severity}`, `font-size="14" font-weight="bold" fill="${sevColor(sev)}"`));
    const line = `${a.rule} · ${a.state} · ${a.starts_at.slice(0, 16).replace('T', ' ')} · ${a.duration_minutes} min · ${a.summary}`;
    parts.push(text(GAP + 110, y, line.length > 190 ? `${line.slice(0, 189)}…` : line, 'font-size="14" fill="#1d1d1d"'));
    y += ALERT_LINE_H;
  }
  if (view.alerts.length > alerts.length) parts.push(text(GAP, y, `… and ${view.alerts.length - alerts.length} more`, 'font-size="14" fill="#555555"'));

  return `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join('')}</svg>`;
}

/** The report as PNG bytes (the SVG rasterised by resvg with the chart font). */
export function reportPng(view: DashboardView, opts: ReportOptions = {}): Buffer {
  return svgToPng(reportSvg(view, opts), { scale: opts.scale ?? 1, background: '#f4f4f2' });
}

/** The report as a self-contained HTML page (inline CSS and SVG, no script, all data escaped). */
export function reportHtml(view: DashboardView, opts: ReportOptions = {}): string {
  const width = opts.width ?? 1600;
  const svgs = panelSvgs(view, width);
  const e = escapeXml;
  const tiles = view.kpis.map((k) => `<div class="kpi sev-${e(k.severity)}"><div class="label">${e(k.label)}</div><div class="value">${e(k.severity === 'none' ? k.value : `${SEVERITY_ICON[k.severity]} ${k.value} ${k.severity}`)}</div><div class="detail">${e(k.detail)}</div></div>`).join('');
  const panels = [...svgs.values()].map(({ svg, slot }) => `<figure class="${slot.width > width / 2 ? 'wide' : ''}">${svg}</figure>`).join('\n');
  const rows = view.alerts.map((a) => {
    const sev = (a.severity in SEVERITY_ICON ? a.severity : 'none') as PanelSeverity;
    return `<tr><td class="sev-${e(sev)}">${e(`${SEVERITY_ICON[sev]} ${a.severity}`)}</td><td>${e(a.rule)}</td><td>${e(a.summary)}</td><td>${e(a.starts_at)}</td><td>${a.duration_minutes} min</td><td>${e(a.state)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${e(opts.title ?? 'txmon report')} — ${e(view.scope)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0;background:#f4f4f2;color:#1d1d1d}
header{background:#222;color:#fff;padding:12px 16px}h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:#ddd}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:16px;padding:16px}
.kpi{background:#fff;border:1px solid #d6d6d2;border-left:8px solid #ccc;padding:8px 12px}.kpi .label{color:#555}.kpi .value{font-size:28px;font-weight:bold}.kpi .detail{font-size:12px;color:#555}
.kpi.sev-critical{border-left-color:#D55E00}.kpi.sev-warning{border-left-color:#E69F00}.kpi.sev-info{border-left-color:#0072B2}
main{display:flex;flex-wrap:wrap;gap:16px;padding:0 16px}figure{margin:0;background:#fff;border:1px solid #d6d6d2;flex:1 1 calc(50% - 8px);min-width:min(100%,420px);max-width:100%}
figure.wide{flex-basis:100%}figure svg{display:block;width:100%;height:auto}
.table-wrap{overflow-x:auto;margin:16px}table{border-collapse:collapse;background:#fff;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
body{overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{background:#121212;color:#e8e8e8}.kpi,table{background:#1e1e1e;border-color:#3a3a3a}.kpi .label,.kpi .detail{color:#b4b4b4}td,th{border-color:#3a3a3a}.sev-warning{color:#f0b429}.sev-critical{color:#ff8a3d}.sev-info{color:#56B4E9}}
.sev-critical{color:#D55E00;font-weight:bold}.sev-warning{color:#9a6700;font-weight:bold}.sev-info{color:#0072B2;font-weight:bold}
</style></head><body>
<header><h1>${e(opts.title ?? 'txmon report')}</h1><p>scope ${e(view.scope)} · ${e(rangeText(view))}</p></header>
<section class="kpis">${tiles}</section>
<main>
${panels}
</main>
<h2 style="margin:16px">Alerts in range (${view.alerts.length})</h2>
${view.alerts.length ? `<div class="table-wrap"><table><thead><tr><th>Severity</th><th>Alert</th><th>Summary</th><th>Started</th><th>Duration</th><th>State</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>` : '<p style="margin:16px"><em>No alerts in this range.</em></p>'}
</body></html>
`;
}

/** Renders the report in the format a file name asks for (.png, .svg, .html). */
export function renderReport(view: DashboardView, format: ReportFormat, opts: ReportOptions = {}): Buffer | string {
  if (format === 'png') return reportPng(view, opts);
  if (format === 'svg') return reportSvg(view, opts);
  return reportHtml(view, opts);
}
