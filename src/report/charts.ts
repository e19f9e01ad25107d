/**
 * ECharts option builders for the monitoring panels — ONE specification per panel, shared by the
 * live dashboard (the browser gets these options from GET /api/v1/dashboard) and the server-side
 * report (src/report/report.ts renders them with ECharts SSR). Pure: plain data in, plain JSON
 * options out (no functions, no I/O, no clock), so the same bytes render in both places.
 *
 * Colours: the Okabe–Ito palette (safe for the common colour-vision deficiencies), and every
 * status also differs by line dash or symbol so colour is never the only cue. Tooltips render in
 * ECharts' rich-text mode (canvas), so a status or scope name is never parsed as HTML.
 */
import type { EChartsOption } from 'echarts';

/** Okabe–Ito colour-blind-safe palette. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Severities an alert or a minute can have. */
export type PanelSeverity = 'none' | 'info' | 'warning' | 'critical';

/** Text + icon per severity: severity is never shown by colour alone. */
export const SEVERITY_ICON: Record<PanelSeverity, string> = { critical: '▲', warning: '◆', info: '●', none: '○' };

/** Colour per severity (paired with SEVERITY_ICON and the word). */
export const SEVERITY_COLOR: Record<PanelSeverity, string> = {
  critical: OKABE_ITO.vermillion, warning: OKABE_ITO.orange, info: OKABE_ITO.blue, none: '#777777',
};

const STATUS_COLOR: Record<string, string> = {
  approved: OKABE_ITO.bluishGreen,
  denied: OKABE_ITO.orange,
  failed: OKABE_ITO.vermillion,
  reversed: OKABE_ITO.reddishPurple,
  backend_reversed: OKABE_ITO.blue,
  refunded: OKABE_ITO.skyBlue,
  processing: '#B8A800', // Okabe–Ito yellow darkened so it reads on white
  total: OKABE_ITO.black,
};
const EXTRA_COLORS = ['#555555', '#999999', '#332288', '#882255', '#117733'];
const DASHES: Array<'solid' | 'dashed' | 'dotted'> = ['solid', 'dashed', 'dotted'];

/** Stable colour of a status (unknown statuses get greys and Tol's dark colours by order). */
export function statusColor(status: string, index = 0): string {
  return STATUS_COLOR[status] ?? EXTRA_COLORS[index % EXTRA_COLORS.length];
}

/** A span of an alert, for markers. Times are epoch ms. */
export interface PanelAlert {
  id: number;
  rule: string;
  severity: PanelSeverity;
  state: string;
  startsAt: number;
  /** null while open. */
  endsAt: number | null;
  summary: string;
}

/** One monitored series with its expectation per point (null where the model had none yet). */
export interface ExpectedSeries {
  metric: string;
  status: string;
  observed: Array<number | null>;
  expected: Array<number | null>;
  low: Array<number | null>;
  high: Array<number | null>;
}

/** Warning / critical thresholds of a rule. */
export interface RuleThresholds { warning: number; critical: number }

/** Everything the panels draw, for one scope and time range. Arrays are aligned with `times`. */
export interface PanelData {
  scope: string;
  /** Range name as chosen ("1h", "6h", "24h", "all"). */
  range: string;
  /** Start of each point (epoch ms); points are `stepMinutes` wide. */
  times: number[];
  stepMinutes: number;
  /** Statuses in display order. */
  statuses: string[];
  /** Transactions per minute by status (bucket mean when stepMinutes > 1). */
  perMinute: Record<string, number[]>;
  /** Share of total per status (bucket total based); null where the point had no transactions. */
  shares: Record<string, Array<number | null>>;
  /** Anomaly score 0–100 (bucket max); null where the minute was not evaluated. */
  scores: Array<number | null>;
  /** Severity of the worst minute in the bucket. */
  severities: Array<PanelSeverity | null>;
  /** Totals over the whole range by status. */
  totals: Record<string, number>;
  /** Heatmap: share of each hour of day's transactions per status (hour 0–23 in `timeZone`); null when the hour has none. */
  hourShares: Record<string, Array<number | null>>;
  timeZone: string;
  alerts: PanelAlert[];
  expected: ExpectedSeries[];
  /** Share rule thresholds by status (fractions). */
  shareThresholds: Record<string, RuleThresholds>;
  /** Anomaly score at which a minute is a warning / critical. */
  severityScore: RuleThresholds;
}

/** Names of the chart panels, in display order. */
export const PANEL_NAMES = ['volume', 'expected', 'shares', 'score', 'distribution', 'heatmap'] as const;
export type PanelName = (typeof PANEL_NAMES)[number];

/** Statuses whose shares are drawn against their rule thresholds. */
export const SHARE_STATUSES = ['failed', 'denied', 'reversed'] as const;

const TEXT = '#222222';
const MUTED = '#555555';
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (x: number): string => `${round(x * 100, x !== 0 && Math.abs(x) < 0.01 ? 2 : 1)}%`;
const pair = (times: number[], ys: Array<number | null>): Array<[number, number | null]> => times.map((t, i) => [t, ys[i] === null ? null : round(ys[i] as number)]);

function base(title: string, subtext?: string): EChartsOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'sans-serif' },
    title: { text: title, subtext, left: 8, top: 4, textStyle: { fontSize: 15, fontWeight: 'bold', color: TEXT }, subtextStyle: { fontSize: 11, color: MUTED } },
    tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
  };
}

function timeAxis(): Record<string, unknown> {
  return { type: 'time', axisLabel: { color: MUTED, hideOverlap: true }, axisLine: { lineStyle: { color: '#888888' } }, splitLine: { show: false } };
}

/** Empty charts still render (axes + a "no data yet" title), so every panel is always present. */
function noData(title: string): EChartsOption {
  return {
    ...base(title),
    graphic: [{ type: 'text', left: 'center', top: 'middle', style: { text: 'no data yet', fontSize: 16, fill: MUTED } }],
    xAxis: { type: 'time' },
    yAxis: { type: 'value' },
    series: [],
  } as EChartsOption;
}

/** Share of the time range within which alert spans share one label (about 30 px on a phone). */
export const LABEL_CLUSTER_FRACTION = 0.1;

/**
 * Alert spans as mark areas, severity in the label by icon (not colour alone). Spans that start
 * close together (within LABEL_CLUSTER_FRACTION of the range) share ONE label on the first of them
 * — the worst severity's icon and how many alerts — so labels never overlap, at any width.
 */
function alertAreas(d: PanelData): unknown[] {
  const first = d.times[0] ?? 0;
  const last = d.times.length ? d.times[d.times.length - 1] + d.stepMinutes * 60_000 : 0;
  const minGap = Math.max(1, (last - first) * LABEL_CLUSTER_FRACTION);
  const rank = { critical: 3, warning: 2, info: 1 } as Record<string, number>;
  const sorted = [...d.alerts].sort((a, b) => a.startsAt - b.startsAt);
  const labels = new Map<PanelAlert, string>();
  for (let i = 0; i < sorted.length;) {
    const start = Math.max(sorted[i].startsAt, first);
    let j = i;
    while (j < sorted.length && Math.max(sorted[j].startsAt, first) - start < minGap) j++;
    const cluster = sorted.slice(i, j);
    const worst = cluster.reduce((w, a) => ((rank[a.severity] ?? 0) > (rank[w] ?? 0) ? a.severity : w), cluster[0].severity);
    labels.set(sorted[i], cluster.length > 1 ? `${SEVERITY_ICON[worst]} ${cluster.length}` : `${SEVERITY_ICON[worst]}`);
    i = j;
  }
  return sorted.map((a) => [
    {
      name: labels.get(a) ?? '',
      xAxis: Math.max(a.startsAt, d.times[0] ?? a.startsAt),
      itemStyle: { color: a.severity === 'critical' ? 'rgba(213,94,0,0.16)' : a.severity === 'warning' ? 'rgba(230,159,0,0.16)' : 'rgba(0,114,178,0.10)' },
    },
    { xAxis: Math.min(a.endsAt ?? last, last) },
  ]);
}

/** Transactions per minute by status, stacked, with alert spans marked. */
export function volumeOption(d: PanelData): EChartsOption {
  const title = 'Transactions per minute by status';
  if (d.times.length === 0) return noData(title);
  const series = d.statuses.map((s, i) => ({
    name: s,
    type: 'line',
    stack: 'volume',
    symbol: 'none',
    step: 'start',
    data: pair(d.times, d.perMinute[s] ?? []),
    lineStyle: { width: 1, color: statusColor(s, i) },
    itemStyle: { color: statusColor(s, i) },
    areaStyle: { color: statusColor(s, i), opacity: 0.55 },
  }));
  const alertSeries = {
    name: 'alerts',
    type: 'line',
    data: [],
    silent: true,
    markArea: { silent: true, label: { show: true, position: 'insideTopLeft', color: TEXT, fontSize: 11 }, data: alertAreas(d) },
  };
  return {
    ...base(title, `${d.stepMinutes > 1 ? `transactions per minute (mean of ${d.stepMinutes}-minute buckets)` : 'transactions per minute'}, stacked · shaded: alerts (▲ critical, ◆ warning, ● info; "▲ 3" = three alerts starting together)`),
    // Legend below the plot: at the top it ran over the title on narrow screens.
    legend: { bottom: 0, left: 'center', type: 'scroll', textStyle: { color: TEXT } },
    grid: { left: 56, right: 20, top: 64, bottom: 56 },
    xAxis: timeAxis(),
    yAxis: { type: 'value', axisLabel: { color: MUTED } },
    series: [...series, alertSeries],
  } as EChartsOption;
}

/** Which expected series to draw: counts of known statuses and the total, in a stable order. */
function pickExpected(d: PanelData): ExpectedSeries[] {
  const order = ['total', ...d.statuses];
  return d.expected
    .filter((e) => e.metric === 'count' || e.metric === 'total')
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
    .slice(0, 8);
}

/**
 * Each monitored series against the model's expected value and band (small multiples, one grid
 * per series, up to four columns).
 */
export function expectedOption(d: PanelData): EChartsOption {
  const title = 'Monitored series vs expected (band from the model)';
  const picked = pickExpected(d);
  if (d.times.length === 0 || picked.length === 0) return noData(title);
  // The panel is full width: four small charts a row (two when there are few); on a narrow
  // screen (ECharts media query, below 700 px) two a row with short captions, so captions never overlap.
  const layoutFor = (cols: number, short: boolean) => {
    const colW = 100 / cols;
    const rows = Math.ceil(picked.length / cols);
    // Percent layout: 8% for the title, then equal rows; each row keeps room for its own caption
    // above and its time labels below.
    const rowH = 92 / rows;
    const grids: unknown[] = [];
    const titles: unknown[] = [{ text: title, left: 8, top: 4, textStyle: { fontSize: short ? 13 : 15, fontWeight: 'bold', color: TEXT } }];
    picked.forEach((e, i) => {
      const r = Math.floor(i / cols);
      const c = i % cols;
      const gTop = 8 + r * rowH + Math.min(6, rowH * 0.18);
      grids.push({ left: `${round(c * colW + 3.5, 2)}%`, width: `${round(colW - 6, 2)}%`, top: `${round(gTop, 2)}%`, height: `${round(rowH * 0.62, 2)}%` });
      const caption = e.status === 'total' ? (short ? 'total /min' : 'total volume') : short ? `${e.status} /min` : `${e.status} per minute`;
      titles.push({ text: caption, left: `${round(c * colW + 3.5, 2)}%`, top: `${round(8 + r * rowH, 2)}%`, textStyle: { fontSize: short ? 11 : 12, color: TEXT, width: short ? 150 : undefined, overflow: short ? 'truncate' : undefined } });
    });
    return { grids, titles };
  };
  const wide = layoutFor(picked.length > 4 ? 4 : 2, false);
  const narrow = layoutFor(2, true);
  const grids = wide.grids;
  const titles = wide.titles;
  const xAxes: unknown[] = [];
  const yAxes: unknown[] = [];
  const series: unknown[] = [];
  picked.forEach((e, i) => {
    xAxes.push({ ...timeAxis(), gridIndex: i, axisLabel: { color: MUTED, hideOverlap: true, fontSize: 10 } });
    yAxes.push({ type: 'value', gridIndex: i, min: 0, axisLabel: { color: MUTED, fontSize: 10 }, splitNumber: 3 });
    const color = statusColor(e.status, i);
    const low = e.low;
    const width = e.high.map((h, k) => (h === null || low[k] === null ? null : (h as number) - (low[k] as number)));
    series.push(
      { name: `band ${e.status}`, type: 'line', xAxisIndex: i, yAxisIndex: i, stack: `band${i}`, symbol: 'none', silent: true, lineStyle: { opacity: 0 }, data: pair(d.times, low) },
      { name: `normal band ${e.status}`, type: 'line', xAxisIndex: i, yAxisIndex: i, stack: `band${i}`, symbol: 'none', silent: true, lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(0,114,178,0.15)' }, data: pair(d.times, width) },
      { name: `expected ${e.status}`, type: 'line', xAxisIndex: i, yAxisIndex: i, symbol: 'none', lineStyle: { width: 1.5, type: 'dashed', color: OKABE_ITO.blue }, itemStyle: { color: OKABE_ITO.blue }, data: pair(d.times, e.expected) },
      { name: `observed ${e.status}`, type: 'line', xAxisIndex: i, yAxisIndex: i, symbol: 'none', lineStyle: { width: 1.5, color }, itemStyle: { color }, data: pair(d.times, e.observed) },
    );
  });
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'sans-serif' },
    title: titles,
    tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    // The root option is the base; below 700 px wide the narrow layout applies (ECharts media query).
    media: [{ query: { maxWidth: 700 }, option: { title: narrow.titles, grid: narrow.grids } }],
  } as EChartsOption;
}

/** Shares of failed / denied / reversed with the rule thresholds drawn as lines. */
export function sharesOption(d: PanelData): EChartsOption {
  const title = 'Shares of failed / denied / reversed vs rule thresholds';
  if (d.times.length === 0) return noData(title);
  const labels = thresholdLabels(d);
  const series = SHARE_STATUSES.map((s, i) => {
    const t = d.shareThresholds[s];
    const color = statusColor(s);
    const line = (level: 'warning' | 'critical') => {
      const l = labels.get(`${s}:${level}`)!;
      const text = `${s} ${level === 'critical' ? '▲ critical' : '◆ warning'} ${pct(t[level])}`;
      return { yAxis: round(t[level] * 100), name: text, label: { show: l.show, position: l.position, formatter: text }, ...(level === 'critical' ? { lineStyle: { width: 2 } } : {}) };
    };
    return {
      name: s,
      type: 'line',
      symbol: ['circle', 'triangle', 'rect'][i],
      symbolSize: 3,
      showSymbol: false,
      data: pair(d.times, (d.shares[s] ?? d.times.map(() => null)).map((v) => (v === null ? null : v * 100))),
      lineStyle: { width: 1.5, type: DASHES[i], color },
      itemStyle: { color },
      markLine: t
        ? {
            silent: true,
            symbol: 'none',
            lineStyle: { color, type: 'dashed', width: 1 },
            label: { color: TEXT, fontSize: 10 },
            data: [line('warning'), line('critical')],
          }
        : undefined,
    };
  });
  return {
    ...base(title, '% of the minute\'s transactions · dashed lines: warning / critical share rules'),
    legend: { bottom: 0, left: 'center', textStyle: { color: TEXT } },
    grid: { left: 56, right: 20, top: 64, bottom: 56 },
    xAxis: timeAxis(),
    yAxis: { type: 'value', min: 0, axisLabel: { color: MUTED, formatter: '{value}%' } },
    series,
  } as EChartsOption;
}

/** Threshold labels closer than this share of the axis height are not both labelled on one side. */
export const THRESHOLD_LABEL_GAP = 0.12;

/**
 * Where each share-threshold line gets its label: alternately at the right and the left end of
 * the plot (ordered by value), and none when the line is too close to the last labelled one on
 * the same side — the line stays, its value is in the tooltip and the subtitle — so threshold
 * labels never overlap, whatever the data's range.
 */
function thresholdLabels(d: PanelData): Map<string, { show: boolean; position: 'insideEndTop' | 'insideStartTop' }> {
  const items: Array<{ key: string; value: number }> = [];
  let max = 0;
  for (const s of SHARE_STATUSES) {
    const t = d.shareThresholds[s];
    if (t) for (const level of ['warning', 'critical'] as const) items.push({ key: `${s}:${level}`, value: t[level] * 100 });
    for (const v of d.shares[s] ?? []) if (v !== null) max = Math.max(max, v * 100);
  }
  for (const it of items) max = Math.max(max, it.value);
  items.sort((a, b) => a.value - b.value);
  const lastBySide = { insideEndTop: -Infinity, insideStartTop: -Infinity };
  const out = new Map<string, { show: boolean; position: 'insideEndTop' | 'insideStartTop' }>();
  let side: 'insideEndTop' | 'insideStartTop' = 'insideEndTop';
  for (const it of items) {
    // Prefer alternating sides; take the other side when this one is crowded.
    const other: 'insideEndTop' | 'insideStartTop' = side === 'insideEndTop' ? 'insideStartTop' : 'insideEndTop';
    const gap = THRESHOLD_LABEL_GAP * max;
    const pick: 'insideEndTop' | 'insideStartTop' | null = it.value - lastBySide[side] >= gap ? side : it.value - lastBySide[other] >= gap ? other : null;
    if (pick) {
      lastBySide[pick] = it.value;
      out.set(it.key, { show: true, position: pick });
      side = pick === 'insideEndTop' ? 'insideStartTop' : 'insideEndTop';
    } else {
      out.set(it.key, { show: false, position: side });
    }
  }
  return out;
}

/** Anomaly score 0–100 over time with the severity thresholds. */
export function scoreOption(d: PanelData): EChartsOption {
  const title = 'Anomaly score';
  if (d.times.length === 0) return noData(title);
  const { warning, critical } = d.severityScore;
  return {
    ...base(title, `0–100; ◆ warning ≥ ${warning}, ▲ critical ≥ ${critical}`),
    grid: { left: 48, right: 20, top: 56, bottom: 32 },
    xAxis: timeAxis(),
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { color: MUTED } },
    series: [{
      name: 'anomaly score',
      type: 'line',
      symbol: 'none',
      step: 'start',
      data: pair(d.times, d.scores),
      lineStyle: { width: 1.5, color: OKABE_ITO.black },
      itemStyle: { color: OKABE_ITO.black },
      areaStyle: { color: 'rgba(0,0,0,0.08)' },
      markLine: {
        silent: true, symbol: 'none',
        label: { position: 'insideEndTop', color: TEXT, fontSize: 10 },
        data: [
          { yAxis: warning, label: { formatter: `◆ warning ${warning}` }, lineStyle: { color: OKABE_ITO.orange, type: 'dashed' } },
          { yAxis: critical, label: { formatter: `▲ critical ${critical}` }, lineStyle: { color: OKABE_ITO.vermillion, type: 'dashed', width: 2 } },
        ],
      },
    }],
  } as EChartsOption;
}

/** Status distribution over the range: one labelled bar per status. */
export function distributionOption(d: PanelData): EChartsOption {
  const title = 'Status distribution';
  const total = Object.values(d.totals).reduce((a, b) => a + b, 0);
  if (total === 0) return noData(title);
  const statuses = [...d.statuses].sort((a, b) => (d.totals[a] ?? 0) - (d.totals[b] ?? 0));
  return {
    ...base(title, `${total} transactions in range`),
    tooltip: { trigger: 'item', renderMode: 'richText', confine: true },
    grid: { left: 120, right: 80, top: 56, bottom: 24 },
    xAxis: { type: 'log', logBase: 10, min: 1, axisLabel: { color: MUTED } },
    yAxis: { type: 'category', data: statuses, axisLabel: { color: TEXT } },
    series: [{
      name: 'transactions',
      type: 'bar',
      data: statuses.map((s, i) => ({
        value: Math.max(d.totals[s] ?? 0, 1),
        itemStyle: { color: statusColor(s, i) },
        label: { show: true, position: 'right', color: TEXT, formatter: `${d.totals[s] ?? 0} (${pct((d.totals[s] ?? 0) / total)})` },
      })),
    }],
  } as EChartsOption;
}

/** Viridis: a sequential scale readable with colour-vision deficiencies and in greyscale. */
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/**
 * Status × hour of day. Colour: the hour's share relative to that status's highest hour (so small
 * statuses are readable next to approved); label: the share itself.
 */
export function heatmapOption(d: PanelData): EChartsOption {
  const title = `Status × hour of day (${d.timeZone})`;
  const statuses = d.statuses.filter((s) => (d.hourShares[s] ?? []).some((v) => v !== null));
  if (statuses.length === 0) return noData(title);
  const data: unknown[] = [];
  statuses.forEach((s, y) => {
    const row = d.hourShares[s];
    const max = Math.max(...row.map((v) => v ?? 0));
    row.forEach((v, h) => {
      if (v === null) return;
      data.push({ value: [h, y, max > 0 ? round(v / max, 3) : 0], name: `${s} ${String(h).padStart(2, '0')}h: ${pct(v)} of the hour's transactions` });
    });
  });
  return {
    ...base(title, 'colour: the status\'s share of each hour, relative to its own busiest hour (so rare statuses show too)'),
    tooltip: { trigger: 'item', renderMode: 'richText', confine: true },
    grid: { left: 120, right: 20, top: 60, bottom: 56 },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}h`), axisLabel: { color: MUTED, fontSize: 10 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: statuses, axisLabel: { color: TEXT } },
    visualMap: { min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 4, itemHeight: 120, itemWidth: 10, text: ['busiest hour', '0'], textStyle: { color: MUTED, fontSize: 10 }, inRange: { color: VIRIDIS } },
    series: [{ name: 'share', type: 'heatmap', data, itemStyle: { borderColor: '#ffffff', borderWidth: 1 } }],
  } as EChartsOption;
}

/** Every panel's option, keyed by panel name. */
export function panelOptions(d: PanelData): Record<PanelName, EChartsOption> {
  return {
    volume: volumeOption(d),
    expected: expectedOption(d),
    shares: sharesOption(d),
    score: scoreOption(d),
    distribution: distributionOption(d),
    heatmap: heatmapOption(d),
  };
}
