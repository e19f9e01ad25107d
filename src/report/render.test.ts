import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resvg } from '@resvg/resvg-js';
import { chartFont, renderPng, renderSvg, svgToPng, type EChartsOption } from './render.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const OPTION: EChartsOption = {
  title: { text: 'Render check' },
  legend: {},
  xAxis: { type: 'category', data: ['00h', '01h', '02h'] },
  yAxis: { type: 'value' },
  series: [
    { name: 'alpha series', type: 'line', data: [1, 3, 2] },
    { name: 'beta series', type: 'bar', data: [2, 1, 4] },
  ],
};

test('renderSvg: an SVG of the requested size with the series names', () => {
  const svg = renderSvg(OPTION, { width: 640, height: 320 });
  assert.match(svg, /^<svg[^>]*width="640"[^>]*height="320"/);
  assert.ok(svg.includes('alpha series') && svg.includes('beta series') && svg.includes('Render check'));
  assert.ok(!svg.includes('animation'), 'no CSS animation in a static chart');
});

test('renderPng: PNG signature, the requested pixel size, plausible bytes', () => {
  const png = renderPng(OPTION, { width: 640, height: 320 });
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  assert.equal(png.readUInt32BE(16), 640); // IHDR width
  assert.equal(png.readUInt32BE(20), 320); // IHDR height
  assert.ok(png.length > 5_000 && png.length < 500_000, `size ${png.length}`);
  const double = renderPng(OPTION, { width: 640, height: 320 }, { scale: 2 });
  assert.equal(double.readUInt32BE(16), 1280);
});

/** Dark pixels of a PNG, decoded by letting resvg draw it as an embedded image. */
function darkPixels(png: Buffer, width: number, height: number): number {
  const wrapper = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}"><image width="${width}" height="${height}" xlink:href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const pixels = new Resvg(wrapper, { background: '#ffffff', font: { loadSystemFonts: false } }).render().pixels;
  let dark = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128 && pixels[i + 3] > 0) dark++;
  return dark;
}

test('text is rasterised: a font is found and drawn', () => {
  const font = chartFont();
  assert.ok(font.files.length > 0 || font.source === 'system-scan', JSON.stringify(font));
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="40" style="font-size:30px;font-family:sans-serif;" fill="#000">Sales</text></svg>';
  const dark = darkPixels(svgToPng(svg), 200, 60);
  assert.ok(dark > 100, `dark pixels ${dark}: the text was not drawn`);
  // The check can fail: resvg without any font draws nothing.
  const bare = new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: false } }).render().asPng();
  assert.equal(darkPixels(bare, 200, 60), 0);
});
