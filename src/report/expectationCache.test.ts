/**
 * The dashboard's incremental replay cache on a real SQLite store fed by the real engine: cached
 * panels equal a one-off replay started at the cache's first minute, request after request with
 * new minutes in between; a request after the first reads only the minutes after the cursor;
 * least recently used scopes are dropped; ranges the window does not hold fall back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthCodeCount, EpochMinute, MinuteBatch, MinuteCount } from '../domain/types.ts';
import { sqliteStore } from '../store/open.ts';
import { Engine } from '../engine/engine.ts';
import { VirtualClock } from '../domain/clock.ts';
import { DetectionModel } from '../detect/model.ts';
import { DEFAULT_BASELINE } from '../detect/baseline.ts';
import type { DetectConfig } from '../detect/config.ts';
import { loadPanelData, type PanelSource } from './panels.ts';
import { ExpectationCache } from './expectationCache.ts';

const M0: EpochMinute = Date.UTC(2025, 6, 1) / 60_000;
/** One day of seasonal history (not 14), so a test store can be longer than warm-up plus window. */
const DETECT: Partial<DetectConfig> = { baseline: { ...DEFAULT_BASELINE, days: 1, minDays: 1 } };
const WINDOW = 120;
/** Longer than the model's history (1 440) plus the window: the cache starts after the first minute. */
const HISTORY = 1700;

/** Deterministic traffic of minute i: a daily wave plus noise, a few problem statuses. */
function countsAt(i: number, salt = 0): Record<string, number> {
  let h = Math.imul(i + 1 + salt * 7919, 2654435761) >>> 0;
  h ^= h >>> 15;
  return {
    approved: 100 + Math.round(30 * Math.sin((2 * Math.PI * i) / 1440)) + (h % 11),
    denied: 5 + ((h >>> 4) % 4),
    failed: (h >>> 8) % 3,
    reversed: (h >>> 12) % 2,
  };
}

function batch(scope: string, from: number, to: number, statuses?: string[]): MinuteBatch {
  const counts: MinuteCount[] = [];
  const authCodes: AuthCodeCount[] = [];
  for (let i = from; i < to; i++) {
    const c = countsAt(i, scope.length);
    for (const [status, count] of Object.entries(c)) if (!statuses || statuses.includes(status)) counts.push({ scope, minute: M0 + i, status, count });
    if (!statuses) authCodes.push({ scope, minute: M0 + i, authCode: '00', count: c.approved }, { scope, minute: M0 + i, authCode: '51', count: c.denied });
  }
  return { counts, authCodes, raw: [] };
}

/** A real store and engine, and panel sources over the store: one cached (reads counted), one plain. */
async function setup(cacheOpts = { maxScopes: 16, windowMinutes: WINDOW }) {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-cache-'));
  const store = sqliteStore(join(dir, 'txmon.db'));
  await store.migrate();
  const engine = new Engine({ store, clock: new VirtualClock(M0 * 60_000), detect: DETECT });
  await engine.start();
  const detect = engine.model.config;
  /** [from, to) of every readCounts call through the cached source. */
  const reads: Array<[EpochMinute, EpochMinute]> = [];
  const counted: PanelSource['store'] = {
    listScopes: () => store.listScopes(),
    readCounts: (scope, from, to) => { reads.push([from, to]); return store.readCounts(scope, from, to); },
    readAuthCodes: (scope, from, to) => store.readAuthCodes(scope, from, to),
    listAssessments: (f) => store.listAssessments(f),
    listAlerts: (f) => store.listAlerts(f),
    openAlerts: () => store.openAlerts(),
  };
  const cache = new ExpectationCache(cacheOpts);
  const cached: PanelSource = { store: counted, detect, timeZone: 'UTC', newModel: () => new DetectionModel(detect), cache };
  const plain: PanelSource = { store, detect, timeZone: 'UTC', newModel: () => new DetectionModel(detect) };
  return {
    store, engine, cache, cached, plain, reads,
    /** Minutes spanned by the counted reads since the last call. */
    takeReadMinutes(): number {
      const n = reads.reduce((a, [f, t]) => a + (t - f), 0);
      reads.length = 0;
      return n;
    },
    close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** The cached panels, checked against a one-off replay from the cache's first minute. */
async function cachedEqualsOneOff(s: Setup, scope: string, range: string) {
  const fromCache = await loadPanelData(s.cached, { scope, range });
  const start = s.cache.replayStart(scope);
  assert.notEqual(start, null, `scope ${scope} is cached`);
  const oneOff = await loadPanelData(s.plain, { scope, range }, { replayFrom: start! });
  assert.deepEqual(fromCache, oneOff);
  return fromCache;
}

describe('ExpectationCache', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
    await s.engine.ingest(batch('all', 0, HISTORY), { complete: true });
  });
  after(async () => s?.close());

  test('serves the same panels as a one-off replay from its start, request after request, reading only new minutes', async () => {
    const first = await cachedEqualsOneOff(s, 'all', '1h');
    const info = (await s.store.listScopes())[0];
    assert.equal(info.lastEvaluated, M0 + HISTORY - 1);
    // The cache started the model at most its history before the window: later than the first minute.
    assert.equal(s.cache.replayStart('all'), M0 + HISTORY - WINDOW - 1440);
    assert.equal(s.cache.cursor('all'), M0 + HISTORY);
    assert.equal(s.cache.stats.builds, 1);
    assert.ok(s.takeReadMinutes() >= WINDOW + 1440, 'the first request replays the warm-up history');
    const expected = first.data.expected.find((e) => e.metric === 'total')!;
    assert.ok(expected.expected.every((v) => v !== null), 'the model is warm: every minute has an expectation');

    // No new minute: nothing to read.
    await cachedEqualsOneOff(s, 'all', '1h');
    assert.equal(s.takeReadMinutes(), 0);

    // New minutes between requests, the last one still open (only some statuses so far).
    let end = HISTORY;
    for (const added of [1, 5, 30]) {
      await s.engine.ingest(batch('all', end, end + added), { complete: true });
      await s.engine.ingest(batch('all', end + added, end + added + 1, ['approved']));
      end += added;
      const cursorBefore = s.cache.cursor('all')!;
      const loaded = await cachedEqualsOneOff(s, 'all', '1h');
      assert.equal(loaded.to, M0 + end + 1, 'the open minute ends the range');
      assert.equal(s.cache.cursor('all'), M0 + end, 'the open minute is not learned');
      assert.ok(s.reads.every(([f]) => f >= cursorBefore), 'no read before the cursor');
      assert.equal(s.takeReadMinutes(), M0 + end + 1 - cursorBefore, 'only the new minutes and the open one are read');
      // The rest of the open minute arrives with the next batch; the watermark then closes it.
    }
    assert.equal(s.cache.stats.builds, 1, 'never rebuilt');
    assert.equal(s.cache.stats.fallbacks, 0);
  });

  test("ranges the window does not hold ('all', 6h > window) fall back to the one-off replay", async () => {
    const fallbacks = s.cache.stats.fallbacks;
    for (const range of ['all', '6h']) {
      const viaCache = await loadPanelData(s.cached, { scope: 'all', range });
      assert.deepEqual(viaCache, await loadPanelData(s.plain, { scope: 'all', range }), range);
    }
    assert.equal(s.cache.stats.fallbacks, fallbacks + 2);
    // An explicit range older than the window falls back too.
    const old = { scope: 'all', fromMs: (M0 + 100) * 60_000, toMs: (M0 + 160) * 60_000 };
    assert.deepEqual(await loadPanelData(s.cached, old), await loadPanelData(s.plain, old));
    assert.equal(s.cache.stats.fallbacks, fallbacks + 3);
  });

  test('concurrent requests for one scope replay once', async () => {
    const cache = new ExpectationCache({ windowMinutes: WINDOW });
    const src: PanelSource = { ...s.cached, cache };
    s.takeReadMinutes();
    const [a, b] = await Promise.all([loadPanelData(src, { scope: 'all', range: '1h' }), loadPanelData(src, { scope: 'all', range: '1h' })]);
    assert.deepEqual(a, b);
    assert.equal(cache.stats.builds, 1);
    assert.equal(cache.stats.replayed, cache.cursor('all')! - cache.replayStart('all')!, 'every minute evaluated once');
    assert.ok(s.reads.filter(([f]) => f === cache.replayStart('all')).length === 1, 'the history is read once');
  });

  test('a changed configuration or an earlier first minute rebuilds the replay', async () => {
    const cache = new ExpectationCache({ windowMinutes: WINDOW });
    await loadPanelData({ ...s.cached, cache }, { scope: 'all', range: '1h' });
    assert.equal(cache.stats.builds, 1);
    const detect = new DetectionModel({ ...DETECT, minHistory: 20 }).config;
    const changed: PanelSource = { ...s.cached, cache, detect, newModel: () => new DetectionModel(detect) };
    const fromCache = await loadPanelData(changed, { scope: 'all', range: '1h' });
    assert.equal(cache.stats.builds, 2);
    assert.deepEqual(fromCache, await loadPanelData({ ...changed, cache: undefined }, { scope: 'all', range: '1h' }, { replayFrom: cache.replayStart('all')! }));

    // Rows before the first minute (an import of older history): start over.
    await s.store.writeBatch(batch('all', -10, -9));
    await loadPanelData(changed, { scope: 'all', range: '1h' });
    assert.equal(cache.stats.builds, 3);
  });

  test('more than one unclosed minute at the end falls back', async () => {
    const cache = new ExpectationCache({ windowMinutes: WINDOW });
    const src: PanelSource = { ...s.plain, cache };
    const info = (await s.store.listScopes())[0];
    // Two minutes the engine has not seen (written past it), after its last evaluated minute.
    await s.store.writeBatch(batch('all', info.lastMinute - M0 + 1, info.lastMinute - M0 + 3));
    assert.deepEqual(await loadPanelData(src, { scope: 'all', range: '1h' }), await loadPanelData(s.plain, { scope: 'all', range: '1h' }));
    assert.equal(cache.stats.fallbacks, 1);
    assert.equal(cache.stats.served, 0);
  });
});

describe('ExpectationCache eviction', () => {
  let s: Setup;
  before(async () => {
    s = await setup({ maxScopes: 2, windowMinutes: WINDOW });
    for (const scope of ['a', 'b', 'c']) await s.engine.ingest(batch(scope, 0, 300), { complete: true });
  });
  after(async () => s?.close());

  test('keeps the most recently used scopes and rebuilds an evicted one on its next request', async () => {
    for (const scope of ['a', 'b', 'a']) await cachedEqualsOneOff(s, scope, '1h');
    assert.deepEqual(s.cache.scopes(), ['b', 'a']);
    await cachedEqualsOneOff(s, 'c', '1h');
    assert.deepEqual(s.cache.scopes(), ['a', 'c'], 'b was the least recently used');
    assert.equal(s.cache.replayStart('b'), null);
    assert.equal(s.cache.stats.builds, 3);

    s.takeReadMinutes();
    await cachedEqualsOneOff(s, 'a', '1h');
    assert.equal(s.takeReadMinutes(), 0, 'a is still cached');
    await cachedEqualsOneOff(s, 'b', '1h');
    assert.equal(s.cache.stats.builds, 4, 'b is replayed again');
    assert.equal(s.takeReadMinutes(), 300, 'from its first minute');
    assert.deepEqual(s.cache.scopes(), ['a', 'b']);
  });

  test('rejects a bound that is not a positive integer', () => {
    assert.throws(() => new ExpectationCache({ maxScopes: 0 }), /maxScopes must be a positive integer, got 0/);
    assert.throws(() => new ExpectationCache({ windowMinutes: 1.5 }), /windowMinutes must be a positive integer, got 1.5/);
  });
});
