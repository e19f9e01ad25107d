/**
 * The Grafana dashboard and the Prometheus rules in integrations/ against a REAL Prometheus
 * (Debian package `prometheus`) scraping a running txmon: every series they use exists in
 * Prometheus with the values txmon reports on /metrics, every expression evaluates, the
 * recording rules produce series, and `promtool check rules` accepts the rules file.
 * Grafana itself is not packaged for Debian or npm, so its queries are checked here instead.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { get, post, startServer, warmupRows, minuteRows, normalMinute, type TestServer } from './helpers/server.ts';
import { PROMETHEUS, PROMTOOL, freePort, missing, runCommand, startProgram, versionOf, waitFor, type Started } from './helpers/external.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const RULES = join(ROOT, 'integrations/prometheus/txmon-rules.yml');
const DASHBOARD = join(ROOT, 'integrations/grafana/txmon-dashboard.json');
const T0 = Date.UTC(2025, 6, 1, 10, 0);
const SCOPE = 'shop';
const WARM = 90;

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses Prometheus text exposition (the subset prom-client writes). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const labelKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => !['__name__', 'job', 'instance'].includes(k)).sort());

/** Every PromQL expression of the dashboard (panels, annotations, variables) with its variables filled in. */
function dashboardExprs(): string[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const exprs: string[] = [];
  for (const p of d.panels) for (const t of p.targets) exprs.push(t.expr);
  for (const a of d.annotations.list) exprs.push(a.expr);
  for (const v of d.templating.list) {
    const q = /^label_values\((.*), *[a-z_]+\)$/.exec(v.query.query);
    assert.ok(q, `variable ${v.name}: label_values(<selector>, <label>) expected`);
    exprs.push(q[1]);
  }
  return exprs.map((e) => e.replaceAll('$scope', SCOPE).replaceAll('$status', '.+'));
}

function ruleGroups(): Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }> {
  return (parseYaml(readFileSync(RULES, 'utf8')) as { groups: never }).groups;
}

/** Metric names an expression reads (txmon's and Prometheus's `up`), not recording-rule names or functions. */
function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/(?<![\w:])((?:txmon|process|nodejs)_[a-z0-9_]+|up)(?![\w:])/g)].map((m) => m[1]))];
}

const skip = missing(PROMETHEUS, 'prometheus', 'prometheus') ?? missing(PROMTOOL, 'promtool', 'prometheus');

describe(`Grafana dashboard and Prometheus rules against a real Prometheus`, { skip }, () => {
  let srv: TestServer;
  let prom: Started;
  let promUrl: string;
  let dir: string;
  let version = '';

  const query = async (expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await res.json() as { status: string; error?: string; data: { resultType: string; result: never[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data.result;
  };

  before(async () => {
    version = await versionOf(PROMETHEUS!);
    srv = await startServer();
    // 90 minutes of scope "shop", complete, so every minute is evaluated; one minute re-posted
    // higher; then a failed storm, so an alert fires and the alert series are not all zero.
    const rows = warmupRows(T0, WARM, SCOPE);
    assert.equal((await post(srv.url, '/api/v1/transactions?complete=true', rows)).status, 200);
    assert.equal((await post(srv.url, '/api/v1/transactions?complete=true', minuteRows(T0 + (WARM - 1) * 60_000, { approved: 500 }, SCOPE))).status, 200);
    for (const i of [WARM, WARM + 1]) {
      await post(srv.url, '/api/v1/transactions?complete=true', minuteRows(T0 + i * 60_000, { ...normalMinute(i), failed: 40, approved: 5 }, SCOPE));
    }
    const firing = (await get(srv.url, '/api/v1/alerts?state=firing')).body.alerts.map((a: { rule: string }) => a.rule);
    assert.ok(firing.includes('failed_high'), JSON.stringify(firing));
    dir = mkdtempSync(join(tmpdir(), 'txmon-prom-'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES],
      scrape_configs: [{ job_name: 'txmon', metrics_path: '/metrics', static_configs: [{ targets: [new URL(srv.url).host] }] }],
    }));
    prom = startProgram(PROMETHEUS!, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ]);
    await waitFor('Prometheus to scrape txmon', async () => (await query('up{job="txmon"} == 1')).length === 1, 60_000)
      .catch((err) => { throw new Error(`${err.message}\n${prom.output()}`); });
  });

  after(async () => {
    await prom?.stop();
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('promtool check rules accepts integrations/prometheus/txmon-rules.yml, check config the example scrape config', async () => {
    const r = await runCommand(PROMTOOL!, ['check', 'rules', RULES]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
    // The example scrape config in the docs, with the rules file beside it.
    const c = await runCommand(PROMTOOL!, ['check', 'config', join(ROOT, 'integrations/prometheus/prometheus.yml')]);
    assert.equal(c.code, 0, c.stdout + c.stderr);
  });

  test('every series the dashboard and the rules use exists in Prometheus with the values txmon reports', async (t) => {
    t.diagnostic(version);
    const exprs = [...dashboardExprs(), ...ruleGroups().flatMap((g) => g.rules.map((r) => r.expr))];
    const names = new Set(exprs.flatMap(metricNames));
    names.delete('up');
    assert.ok(names.has('txmon_transactions_total') && names.has('txmon_expected_transactions_upper') && names.has('txmon_alerts_active'));
    // Histograms are used through their _bucket series.
    const exposed = parseExposition((await get(srv.url, '/metrics')).text);
    for (const name of names) {
      const mine = exposed.filter((s) => s.name === name);
      assert.ok(mine.length > 0, `txmon's /metrics has no ${name}`);
      await waitFor(`Prometheus to hold ${name} as txmon reports it`, async () => {
        const theirs = new Map((await query(`${name}{job="txmon"}`)).map((r) => [labelKey(r.metric), Number(r.value[1])]));
        for (const s of mine) {
          const v = theirs.get(labelKey(s.labels));
          if (v === undefined) throw new Error(`${name}${JSON.stringify(s.labels)} missing in Prometheus`);
          if (Math.abs(v - s.value) > 1e-9 * Math.max(1, Math.abs(s.value))) throw new Error(`${name}${JSON.stringify(s.labels)}: Prometheus ${v}, txmon ${s.value}`);
        }
        return true;
      }, 20_000);
    }
    // The counter counted the re-posted minute by its increase only: the warm-up's approved with its
    // last minute as 500, plus the two storm minutes.
    const approved = exposed.find((s) => s.name === 'txmon_transactions_total' && s.labels.scope === SCOPE && s.labels.status === 'approved');
    const expectedApproved = warmupRows(T0, WARM - 1, SCOPE).filter((r) => r.status === 'approved').reduce((a, r) => a + (r.count as number), 0) + 500 + 5 + 5;
    assert.equal(approved?.value, expectedApproved);
    const active = exposed.filter((s) => s.name === 'txmon_alerts_active' && s.labels.state === 'firing').reduce((a, s) => a + s.value, 0);
    assert.ok(active >= 1, 'an alert fires');
  });

  test('every dashboard and rule expression evaluates; the dashboard panels have data', async () => {
    for (const expr of dashboardExprs()) {
      // Every panel and the firing-alerts annotation have data (rate() needs two scrapes); the
      // new-alert annotation may have nothing once the increase window has passed.
      if (expr.includes('increase(txmon_alerts_total')) await query(expr);
      else await waitFor(`data for dashboard query ${expr}`, async () => (await query(expr)).length > 0, 20_000);
    }
    for (const g of ruleGroups()) for (const r of g.rules) await query(r.expr);
  });

  test('the recording rules produce series and the alerting rules load healthy', async () => {
    for (const g of ruleGroups()) {
      for (const r of g.rules) {
        if (!r.record) continue;
        await waitFor(`recording rule ${r.record}`, async () => (await query(r.record!)).length > 0, 20_000);
      }
    }
    const rules = await (await fetch(`${promUrl}/api/v1/rules`)).json() as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const all = rules.data.groups.flatMap((g) => g.rules);
    assert.equal(all.length, ruleGroups().flatMap((g) => g.rules).length);
    await waitFor('every rule evaluated', async () => {
      const now = await (await fetch(`${promUrl}/api/v1/rules`)).json() as typeof rules;
      const bad = now.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok');
      if (bad.length > 0) throw new Error(JSON.stringify(bad.map((r) => [r.name, r.health, r.lastError])));
      return true;
    }, 20_000);
    // Scope values of the band recording rule: inside the band reads 0.
    const band = await query(`scope_status:txmon_observed_outside_band:count{scope="${SCOPE}"}`);
    assert.ok(band.length > 0);
  });
});
