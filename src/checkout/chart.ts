/**
 * The ECharts option of one checkout file: today against the four baselines, the robust
 * expectation with its normal range, and the anomalous episodes shaded. Plain JSON (no functions),
 * so the same object renders on the server (src/report/render.ts) and in the browser.
 */
import type { EChartsOption } from 'echarts';
import { SEVERITY_RANK } from '../domain/types.ts';
import { OKABE_ITO } from '../report/charts.ts';
import type { CheckoutAnalysis, EpisodeKind } from './analyze.ts';
import { fmtCount } from './analyze.ts';
import type { BaselineName } from './parse.ts';

/** Series names as shown in the legend (tests and the dashboard find series by them). */
export const CHECKOUT_SERIES = {
  today: 'today',
  expected: 'expected (robust)',
  band: 'normal range (95%)',
  yesterday: 'yesterday',
  same_day_last_week: 'same day last week',
  avg_last_week: 'avg last week',
  avg_last_month: 'avg last month',
} as const;

const BASELINE_STYLE: Record<BaselineName, { color: string; type: 'dashed' | 'dotted' }> = {
  yesterday: { color: OKABE_ITO.orange, type: 'dashed' },
  same_day_last_week: { color: OKABE_ITO.skyBlue, type: 'dashed' },
  avg_last_week: { color: OKABE_ITO.bluishGreen, type: 'dotted' },
  avg_last_month: { color: OKABE_ITO.reddishPurple, type: 'dotted' },
};

const EPISODE_FILL: Record<EpisodeKind, string> = {
  outage: 'rgba(213, 94, 0, 0.22)', // vermillion
  drop: 'rgba(230, 159, 0, 0.22)', // orange
  surge: 'rgba(0, 158, 115, 0.18)', // bluish green
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Builds the chart option for one analysed file. Episodes of every severity are shaded; info ones
 * lighter, so the eye goes to what matters.
 */
export function checkoutChartOption(analysis: CheckoutAnalysis): EChartsOption {
  const hours = analysis.hours;
  const labels = hours.map((h) => h.label);
  const major = analysis.episodes.filter((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK.warning);
  const verdict = analysis.day.anomalous
    ? major.map((e) => `${e.severity} ${e.kind} ${e.label}`).join(' · ')
    : 'no anomaly';
  const money: string[] = [];
  if (analysis.day.lostSales.estimate > 0) money.push(`≈${fmtCount(analysis.day.lostSales.estimate)} sales lost`);
  if (analysis.day.extraSales.estimate > 0) money.push(`≈${fmtCount(analysis.day.extraSales.estimate)} extra sales`);
  const subtext = [`today ${fmtCount(analysis.day.observedTotal)} vs ${fmtCount(analysis.day.expectedTotal)} expected`, ...money].join(' · ');

  const markAreaData = analysis.episodes.map((e) => [
    {
      name: `${e.kind} ${e.label}${e.severity === 'info' ? ' (info)' : ''}\n${e.direction === 'down' ? '−' : '+'}${fmtCount(e.impact.estimate)}`,
      // On the hidden value axis, hour ± 0.5 are the column edges: a one-hour episode is a full column.
      xAxis: e.startHour - 0.5,
      itemStyle: { color: EPISODE_FILL[e.kind], opacity: e.severity === 'info' ? 0.45 : 1 },
    },
    { xAxis: e.endHour + 0.5 },
  ]);

  const baselineSeries = (Object.keys(BASELINE_STYLE) as BaselineName[]).map((k) => ({
    name: CHECKOUT_SERIES[k],
    type: 'line' as const,
    data: hours.map((h) => h.baselines[k]),
    symbol: 'none',
    lineStyle: { width: 1.4, type: BASELINE_STYLE[k].type, color: BASELINE_STYLE[k].color },
    itemStyle: { color: BASELINE_STYLE[k].color },
    z: 2,
  }));

  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: {
      text: `Checkout ${analysis.source}: ${verdict}`,
      subtext,
      left: 'center',
      textStyle: { fontSize: 16, fontWeight: 'bold', color: '#222222' },
      subtextStyle: { fontSize: 12, color: '#444444' },
    },
    legend: {
      top: 60,
      data: [CHECKOUT_SERIES.today, CHECKOUT_SERIES.expected, CHECKOUT_SERIES.band, ...baselineSeries.map((s) => s.name)],
      textStyle: { fontSize: 11 },
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 24, top: 104, bottom: 48 },
    xAxis: [
      { type: 'category', data: labels, boundaryGap: true, name: 'hour', nameLocation: 'middle', nameGap: 28 },
      // A hidden value axis over the same columns (hour h spans h − 0.5 .. h + 0.5): a category axis
      // rounds fractional positions, so episode shading is placed on this one.
      { type: 'value', min: -0.5, max: 23.5, show: false },
    ],
    yAxis: { type: 'value', name: 'sales per hour', nameLocation: 'middle', nameGap: 40, min: 0, axisLine: { onZero: false } },
    series: [
      // Normal range as a stacked band: an invisible base at the 2.5% quantile plus the width.
      {
        name: 'band-base',
        type: 'line',
        data: hours.map((h) => h.band[0]),
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        silent: true,
        z: 1,
      },
      {
        name: CHECKOUT_SERIES.band,
        type: 'line',
        data: hours.map((h) => h.band[1] - h.band[0]),
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(0, 114, 178, 0.12)' },
        itemStyle: { color: 'rgba(0, 114, 178, 0.35)' },
        silent: true,
        z: 1,
      },
      ...baselineSeries,
      {
        name: CHECKOUT_SERIES.expected,
        type: 'line',
        data: hours.map((h) => round2(h.expected)),
        symbol: 'none',
        lineStyle: { width: 2, color: OKABE_ITO.blue },
        itemStyle: { color: OKABE_ITO.blue },
        z: 3,
      },
      {
        name: CHECKOUT_SERIES.today,
        type: 'line',
        data: hours.map((h) => h.observed),
        symbol: 'circle',
        symbolSize: 6,
        lineStyle: { width: 3.5, color: OKABE_ITO.black },
        itemStyle: { color: OKABE_ITO.black },
        z: 5,
      },
      {
        // Carries the episode shading only (no data of its own).
        name: 'episodes',
        type: 'line',
        xAxisIndex: 1,
        data: [],
        silent: true,
        z: 0,
        markArea: {
          silent: true,
          label: { show: true, position: 'insideTop', fontSize: 11, color: '#222222', fontWeight: 'bold' },
          data: markAreaData,
        },
      },
    ],
  } as EChartsOption;
}
