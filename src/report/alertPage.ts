/**
 * The alert page (`/alerts/:id`, `/alerts?fingerprint=…`): what a person who clicked a
 * notification link needs on one screen — the alert's series around its start with the model's
 * expected band and the alert span, its evidence in words with rounded numbers, its state history,
 * labels, which receivers were notified and when. Pure functions over store rows; the route in
 * src/api/routes/alertPage.ts loads the rows.
 */
import type { EChartsOption } from 'echarts';
import type { Alert, AlertTransition } from '../domain/types.ts';
import type { OutboxRow } from '../store/notifyStore.ts';
import type { ExpectedSeries, PanelData } from './charts.ts';
import { OKABE_ITO, statusColor } from './charts.ts';

/** Minutes of context shown before the alert's start and after its end (or its last minute). */
export const BEFORE_MINUTES = 90;
export const AFTER_MINUTES = 30;

/** A number for people: about three significant digits, no float noise (164.7333 → 165, 0.04812 → 0.0481). */
export function roundForPeople(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(x));
  if (a >= 10) return String(Math.round(x * 10) / 10);
  if (a >= 1) return String(Math.round(x * 100) / 100);
  return String(Number(x.toPrecision(3)));
}

/** Rewrites long decimals inside a sentence ("expected 164.7333" → "expected 165"); exponents and short numbers stay. */
export function roundNumbersInText(text: string): string {
  return text.replace(/(?<![\w.])(-?\d+\.\d{3,})(?![\d.eE])/g, (m) => roundForPeople(Number(m)));
}

/** Which monitored series the alert is about, as (metric, status) of ExpectedSeries. */
export function seriesOfAlert(a: Pick<Alert, 'rule' | 'labels'>): { metric: 'count' | 'total'; status: string } {
  const rule = a.labels.alertname ?? a.rule;
  if (rule === 'no_data' || rule === 'volume_high') return { metric: 'total', status: 'total' };
  if (rule === 'sales_low') return { metric: 'count', status: a.labels.status ?? 'approved' };
  const status = a.labels.status ?? rule.replace(/_high$/, '');
  return { metric: 'count', status };
}

export interface EvidenceLine { label: string; value: string }

/** The alert's numbers as words: what was seen, what was expected, how unusual. */
export function evidenceOf(a: Alert): EvidenceLine[] {
  const lines: EvidenceLine[] = [
    { label: 'summary', value: roundNumbersInText(a.summary) },
  ];
  if (a.explanation && a.explanation !== a.summary) lines.push({ label: 'why', value: roundNumbersInText(a.explanation) });
  const share = a.observed >= 0 && a.observed <= 1 && (a.expected === null || (a.expected >= 0 && a.expected <= 1)) && /share/i.test(`${a.summary} ${a.explanation}`);
  const fmt = (x: number) => (share ? `${roundForPeople(x * 100)}%` : roundForPeople(x));
  lines.push({ label: 'observed', value: fmt(a.observed) });
  lines.push({ label: 'expected', value: a.expected === null ? 'no expectation (rule alert)' : fmt(a.expected) });
  if (a.expected !== null && a.expected > 0 && a.observed !== a.expected) {
    const ratio = a.observed / a.expected;
    lines.push({ label: 'ratio', value: ratio >= 1 ? `${roundForPeople(ratio)}× the expected value` : `${roundForPeople(ratio * 100)}% of the expected value` });
  }
  lines.push({ label: 'anomaly score', value: `${Math.round(a.score)} of 100` });
  return lines;
}

export interface NotifiedRow {
  /** Integration ("<receiver>/<type>[n]"). */
  integration: string;
  receiver: string;
  /** firing / resolved, as the notification said. */
  status: string;
  state: string;
  created_at: string;
  delivered_at: string | null;
  attempts: number;
  last_error: string | null;
}

/** Outbox rows whose notification carried this alert (by fingerprint), oldest first. */
export function notifiedRows(rows: readonly OutboxRow[], fingerprint: string): NotifiedRow[] {
  const out: NotifiedRow[] = [];
  for (const r of rows) {
    const p = r.payload as { receiver?: string; status?: string; alerts?: Array<{ fingerprint?: string }> } | null;
    if (!p?.alerts?.some((x) => x.fingerprint === fingerprint)) continue;
    const row = r as OutboxRow & { attempts?: number; lastError?: string | null };
    out.push({
      integration: r.receiver, receiver: p.receiver ?? r.receiver.split('/')[0], status: p.status ?? '', state: r.state,
      created_at: new Date(r.createdAt).toISOString(), delivered_at: r.deliveredAt === null ? null : new Date(r.deliveredAt).toISOString(),
      attempts: row.attempts ?? 0, last_error: row.lastError ?? null,
    });
  }
  return out.sort((x, y) => (x.created_at < y.created_at ? -1 : x.created_at > y.created_at ? 1 : 0));
}

const TEXT = '#222222';
const MUTED = '#555555';
const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/**
 * The alert's series around its start: observed, expected (dashed) and the normal band, with the
 * alert span shaded and labelled once, inside the plot, below the legend (no label on lines).
 */
export function alertChartOption(a: Alert, d: PanelData): EChartsOption {
  const want = seriesOfAlert(a);
  const e: ExpectedSeries | undefined = d.expected.find((x) => x.metric === want.metric && x.status === want.status)
    ?? d.expected.find((x) => x.metric === 'total');
  const title = e ? (e.status === 'total' ? 'All transactions per minute' : `${e.status} transactions per minute`) : 'No data around this alert';
  if (!e || d.times.length === 0) {
    return {
      animation: false, title: { text: title, left: 8, top: 4, textStyle: { fontSize: 14, color: TEXT } },
      xAxis: { type: 'time' }, yAxis: { type: 'value' }, series: [],
    } as EChartsOption;
  }
  const pair = (ys: Array<number | null>) => d.times.map((t, i) => [t, r4(ys[i])]);
  const width = e.high.map((h, k) => (h === null || e.low[k] === null ? null : (h as number) - (e.low[k] as number)));
  const last = d.times[d.times.length - 1] + d.stepMinutes * 60_000;
  const end = Math.min(a.endsAt ?? last, last);
  const color = statusColor(e.status === 'total' ? 'approved' : e.status);
  const sevColor = a.severity === 'critical' ? 'rgba(213,94,0,0.18)' : a.severity === 'warning' ? 'rgba(230,159,0,0.18)' : 'rgba(0,114,178,0.12)';
  return {
    animation: false,
    textStyle: { fontFamily: 'sans-serif' },
    title: { text: title, subtext: `expected value and normal band from the model; shaded: this alert (${a.severity})`, left: 8, top: 4, textStyle: { fontSize: 14, color: TEXT }, subtextStyle: { fontSize: 11, color: MUTED } },
    legend: { bottom: 0, left: 'center', textStyle: { color: TEXT }, data: ['observed', 'expected', 'normal band'] },
    grid: { left: 48, right: 16, top: 64, bottom: 56, containLabel: true },
    tooltip: { trigger: 'axis', confine: true, renderMode: 'richText' },
    xAxis: { type: 'time', axisLabel: { color: MUTED, hideOverlap: true } },
    yAxis: { type: 'value', min: 0, axisLabel: { color: MUTED, hideOverlap: true } },
    series: [
      { name: 'band low', type: 'line', stack: 'band', symbol: 'none', silent: true, lineStyle: { opacity: 0 }, data: pair(e.low), tooltip: { show: false } },
      { name: 'normal band', type: 'line', stack: 'band', symbol: 'none', silent: true, lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(0,114,178,0.15)' }, itemStyle: { color: 'rgba(0,114,178,0.35)' }, data: pair(width) },
      { name: 'expected', type: 'line', symbol: 'none', lineStyle: { width: 1.5, type: 'dashed', color: OKABE_ITO.blue }, itemStyle: { color: OKABE_ITO.blue }, data: pair(e.expected) },
      {
        name: 'observed', type: 'line', symbol: 'none', lineStyle: { width: 2, color }, itemStyle: { color }, data: pair(e.observed),
        markArea: {
          silent: true,
          label: { show: true, position: 'insideTop', distance: 4, color: TEXT, fontSize: 11, overflow: 'truncate' },
          itemStyle: { color: sevColor },
          data: [[{ name: `alert #${a.id}`, xAxis: Math.max(a.startsAt, d.times[0]) }, { xAxis: end }]],
        },
      },
    ],
    // Narrow screens: a subtitle that fits (ECharts media query; the root option is the base).
    media: [{ query: { maxWidth: 520 }, option: { title: { subtext: `dashed: expected · band: normal · shaded: this alert` } } }],
  } as EChartsOption;
}
