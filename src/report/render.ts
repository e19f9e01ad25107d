/**
 * Server-side chart rendering, shared by reports, the dashboard's static exports and notification
 * images: one ECharts option → SVG (ECharts SSR, no DOM, no browser) → PNG (@resvg/resvg-js).
 *
 * Fonts: resvg draws no text at all when it finds no font for the SVG's `font-family`
 * (ECharts writes `sans-serif`). We therefore look for a known sans font file once and hand it to
 * resvg explicitly (also faster and more reproducible than scanning every system font); when none
 * of the known files exists we fall back to resvg's system font scan. `TXMON_CHART_FONT` (a .ttf /
 * .otf path) overrides the choice. {@link chartFont} tells what was picked.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

export type { EChartsOption };

/** Chart size in CSS pixels. */
export interface ChartSize {
  width: number;
  height: number;
}

export interface PngOptions {
  /** Pixel density multiplier (2 = retina); default 1. */
  scale?: number;
  /** Background behind the chart; default white (ECharts SSR leaves it transparent). */
  background?: string;
}

/** The font resvg is given. */
export interface ChartFont {
  /** Font files passed to resvg ([] = system scan). */
  files: string[];
  /** Family name used for sans-serif and as the default, or null when resvg picks one. */
  family: string | null;
  /** How it was chosen. */
  source: 'env' | 'known-file' | 'system-scan';
}

/** Known sans fonts of Linux distributions, regular then bold, with their family name. */
const KNOWN_FONTS: Array<{ family: string; regular: string; bold: string }> = [
  { family: 'DejaVu Sans', regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' },
  { family: 'Liberation Sans', regular: 'LiberationSans-Regular.ttf', bold: 'LiberationSans-Bold.ttf' },
  { family: 'Noto Sans', regular: 'NotoSans-Regular.ttf', bold: 'NotoSans-Bold.ttf' },
  { family: 'Open Sans', regular: 'OpenSans-Regular.ttf', bold: 'OpenSans-Bold.ttf' },
];

const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/Library/Fonts', '/System/Library/Fonts', 'C:\\Windows\\Fonts'];

function findFile(dir: string, name: string, depth: number): string | null {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) if (e.isFile() && e.name === name) return join(dir, e.name);
  if (depth === 0) return null;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = findFile(join(dir, e.name), name, depth - 1);
    if (found) return found;
  }
  return null;
}

let cachedFont: ChartFont | undefined;

/** The font charts are rendered with (looked up once per process). */
export function chartFont(): ChartFont {
  if (cachedFont) return cachedFont;
  const fromEnv = process.env.TXMON_CHART_FONT;
  if (fromEnv && existsSync(fromEnv)) {
    cachedFont = { files: [fromEnv], family: null, source: 'env' };
    return cachedFont;
  }
  for (const known of KNOWN_FONTS) {
    for (const dir of FONT_DIRS) {
      const regular = findFile(dir, known.regular, 4);
      if (!regular) continue;
      const bold = findFile(dir, known.bold, 4);
      cachedFont = { files: bold ? [regular, bold] : [regular], family: known.family, source: 'known-file' };
      return cachedFont;
    }
  }
  cachedFont = { files: [], family: null, source: 'system-scan' };
  return cachedFont;
}

function resvgFontOptions(): NonNullable<ResvgRenderOptions['font']> {
  const font = chartFont();
  if (font.source === 'system-scan') return { loadSystemFonts: true };
  if (font.family === null) {
    // A font from the environment: its family name is unknown, so let it answer for every family
    // by being the only font loaded (resvg falls back to the first font it has).
    return { loadSystemFonts: false, fontFiles: font.files };
  }
  return { loadSystemFonts: false, fontFiles: font.files, defaultFontFamily: font.family, sansSerifFamily: font.family };
}

/**
 * Renders an ECharts option to an SVG string with ECharts' server-side renderer. Animation is
 * turned off (a static image must show the final state).
 */
export function renderSvg(option: EChartsOption, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Rasterises an SVG string to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  const resvg = new Resvg(svg, {
    background: options.background ?? '#ffffff',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: resvgFontOptions(),
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

/** Renders an ECharts option to PNG bytes (SVG via {@link renderSvg}, then resvg). */
export function renderPng(option: EChartsOption, size: ChartSize, options: PngOptions = {}): Buffer {
  return svgToPng(renderSvg(option, size), options);
}
