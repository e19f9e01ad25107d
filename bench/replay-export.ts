/**
 * Replays a one-day export (`time,status,f0_` with "HHh MM" times, as `txmon simulate --format
 * export` writes it) into a RUNNING txmon over HTTP, one minute per request with `?date=`, the way
 * a client posts it — a minute with no row is never sent — then compares the alerts the service
 * raised with a labels file: an alert is false when it starts outside every incident window
 * [start − 1 min, end + 5 min).
 *
 *   node bench/replay-export.ts http://127.0.0.1:8080 day.csv day.json 2025-07-14
 *
 * Prints minutes posted, alerting minutes (ingest answers with should_alert), alerts and false
 * alerts (each listed). Use a fresh database per run: the alerts of earlier runs would count.
 */
import { readFileSync } from 'node:fs';

const [url, file, labelsFile, date] = process.argv.slice(2);
if (!url || !file || !labelsFile || !date) {
  process.stderr.write('usage: node bench/replay-export.ts TXMON_URL EXPORT.csv LABELS.json YYYY-MM-DD\n');
  process.exit(2);
}

const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
const header = lines.shift()!;
const byMinute = new Map<string, string[]>();
for (const line of lines) {
  const time = line.split(',')[0];
  const rows = byMinute.get(time);
  if (rows) rows.push(line); else byMinute.set(time, [line]);
}

let alertingMinutes = 0;
for (const time of [...byMinute.keys()].sort()) {
  const res = await fetch(`${url}/api/v1/transactions?date=${date}`, {
    method: 'POST', headers: { 'content-type': 'text/csv' }, body: `${header}\n${byMinute.get(time)!.join('\n')}\n`,
  });
  const body = await res.json() as { should_alert?: boolean };
  if (!res.ok) {
    process.stderr.write(`HTTP ${res.status} at ${time}: ${JSON.stringify(body).slice(0, 300)}\n`);
    process.exit(1);
  }
  if (body.should_alert) alertingMinutes++;
}

interface AlertJson { rule: string; starts_at: string; summary: string }
interface Label { start: string; end: string }
const alerts = ((await (await fetch(`${url}/api/v1/alerts?limit=1000`)).json()) as { alerts: AlertJson[] }).alerts;
const incidents = (JSON.parse(readFileSync(labelsFile, 'utf8')) as { incidents: Label[] }).incidents
  .map((l) => ({ start: Date.parse(l.start), end: Date.parse(l.end) }));
const isFalse = (a: AlertJson) => {
  const at = Date.parse(a.starts_at);
  return !incidents.some((l) => at >= l.start - 60_000 && at < l.end + 5 * 60_000);
};
const falseAlerts = alerts.filter(isFalse);
console.log(`${file}: minutes ${byMinute.size}, alerting minutes ${alertingMinutes}, alerts ${alerts.length}, false ${falseAlerts.length}`);
for (const a of falseAlerts) console.log(`  false ${a.starts_at.slice(11, 16)} ${a.rule}: ${a.summary.slice(0, 140)}`);
