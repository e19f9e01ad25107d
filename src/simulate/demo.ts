/**
 * Demo traffic for `txmon serve --demo`: preloads synthetic history so the baselines are warm,
 * then streams one simulated minute every `intervalMs` of wall time (accelerated time, 30× by
 * default) with an injected incident in every block of `incidentEveryMinutes`, so a newcomer sees
 * an alert within a few minutes. Minutes go straight to the engine (same path as the HTTP ingest
 * after parsing), declared complete since each holds every status.
 */
import type { EpochMinute, MinuteBatch } from '../domain/types.ts';
import { minuteToIso, toMinute } from '../domain/time.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';
import { Simulator, type SimulatedMinute } from './simulator.ts';

export interface DemoOptions {
  intervalMs?: number;
  historyDays?: number;
  seed?: number;
  incidentEveryMinutes?: number;
  log?: (msg: string) => void;
}

function toBatch(minutes: SimulatedMinute[]): MinuteBatch {
  const batch: MinuteBatch = { counts: [], authCodes: [], raw: [], completeMinutes: new Map() };
  for (const m of minutes) {
    if (!m.present) continue;
    for (const [status, count] of Object.entries(m.counts)) batch.counts.push({ scope: m.scope, minute: m.minute, status, count });
    for (const [authCode, count] of Object.entries(m.authCodes)) batch.authCodes.push({ scope: m.scope, minute: m.minute, authCode, count });
    let set = batch.completeMinutes!.get(m.scope);
    if (!set) batch.completeMinutes!.set(m.scope, (set = new Set()));
    set.add(m.minute);
  }
  return batch;
}

/** What the demo needs: where the history is (to resume after a restart) and where minutes go. */
export interface DemoTarget {
  store: Pick<Store, 'listScopes'>;
  engine: Pick<Engine, 'ingest'>;
}

/** Starts the demo; resolves once history is loaded; returns a stop function. */
export async function startDemo(target: DemoTarget, opts: DemoOptions = {}): Promise<() => Promise<void>> {
  const log = opts.log ?? (() => undefined);
  const intervalMs = opts.intervalMs ?? 2000;
  const seed = opts.seed ?? 7;
  const historyDays = opts.historyDays ?? 3;
  const existing = (await target.store.listScopes()).find((s) => s.scope === 'all');
  let next: EpochMinute;
  if (existing) {
    next = existing.lastMinute + 1;
    log(`demo: resuming after ${minuteToIso(existing.lastMinute)} (history already in the store)`);
  } else {
    const now = toMinute(Date.now());
    const historyStart = now - historyDays * 1440;
    const history = new Simulator({ days: historyDays, seed, start: historyStart, incidents: false });
    log(`demo: preloading ${historyDays} days of synthetic history (${minuteToIso(historyStart)} → ${minuteToIso(now)})`);
    for (let from = historyStart; from < now; from += 360) {
      await target.engine.ingest(toBatch([...history.range(from, Math.min(now, from + 360))]));
    }
    next = now;
  }
  const every = opts.incidentEveryMinutes ?? 15;
  const live = new Simulator({ days: 365, seed, start: next, incidentEveryMinutes: every });
  const first = live.incidentsBetween(next, next + every)[0];
  log(`demo: streaming one simulated minute every ${intervalMs} ms; first incident: ${first?.kind ?? 'none'} at ${first?.start ?? '-'}`);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    const minute = next++;
    running = target.engine
      .ingest(toBatch([...live.range(minute, minute + 1)]))
      .then((outcome) => {
        for (const a of outcome.alerts) if (a.state === 'firing' && a.startsAt === a.lastMinute * 60_000) log(`demo: ALERT ${a.severity} ${a.rule} — ${a.summary}`);
      })
      .catch((err) => log(`demo: ingest failed: ${(err as Error).message}`));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
