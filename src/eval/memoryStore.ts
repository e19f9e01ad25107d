/**
 * An in-memory store for offline runs (backtest, detection measurements, tests): everything the
 * engine needs from a store, with the same semantics as the SQLite store —
 *
 * - counts and auth-code counts per (scope, minute, key), a later value replacing an earlier one,
 *   read back by range in (minute, key) order for the engine's rebuild on `start()`;
 * - raw transactions deduplicated by id and folded into the counts (like `writeBatch` in SQL);
 * - the last evaluated minute per scope (what `listScopes` reports as `lastEvaluated`);
 * - alerts with ids assigned here, their transition history, the set of open alerts, and the
 *   outbox entries written with them.
 *
 * Memory: `retainMinutes` bounds the count history kept per scope (minutes older than the scope's
 * latest minute minus this are dropped). The default keeps everything — a complete store. The
 * backtest passes a window: it starts its engine once on an empty store and never rebuilds, so
 * keeping every minute of a 10 M-row file would only make memory grow with the rows.
 */
import type {
  Alert, AlertChange, AlertTransition, Assessment, EpochMinute, MinuteBatch, OutboxEntry,
} from '../domain/types.ts';
import type { EngineStore } from '../engine/engine.ts';
import type { AuthCodeRow, CountRow, ScopeInfo, WriteResult } from '../store/store.ts';

export interface MemoryStoreOptions {
  /** Minutes of count history kept per scope behind its latest minute (default: all). */
  retainMinutes?: number;
}

interface MinuteCell {
  counts: Map<string, number> | null;
  authCodes: Map<string, number> | null;
  /**
   * Count rows written but not yet folded into `counts`, in write order: a backtest writes
   * millions of rows and reads almost none back, so rows are kept as given and folded (last
   * value wins, as in SQL) only when the cell is read or a raw transaction adds to it.
   */
  countRows: MinuteBatch['counts'] | null;
}

interface ScopeData {
  /** Minute → cell, in insertion order (minutes mostly arrive in order, so eviction pops the front). */
  minutes: Map<EpochMinute, MinuteCell>;
  firstMinute: EpochMinute;
  lastMinute: EpochMinute;
  /** Does any minute hold a status count? (`listScopes` lists scopes with counts, like SQL.) */
  hasCounts: boolean;
  lastEvaluated: EpochMinute | null;
  /** Serial of the last write that touched this scope (see write). */
  writeSerial: number;
}

/** The cell's counts with the rows written since the last fold applied in order. */
function foldCounts(cell: MinuteCell): Map<string, number> {
  const counts = (cell.counts ??= new Map());
  if (cell.countRows !== null) {
    for (const r of cell.countRows) counts.set(r.status, r.count);
    cell.countRows = null;
  }
  return counts;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** In-memory {@link EngineStore}: a real store without durability. */
export class MemoryStore implements EngineStore {
  private readonly retain: number;
  private writeSerial = 0;
  private readonly touched: ScopeData[] = [];
  private readonly scopes = new Map<string, ScopeData>();
  private readonly rawIds = new Set<string>();
  private readonly alertsById = new Map<number, Alert>();
  private readonly open = new Map<number, Alert>();
  private readonly history: AlertTransition[] = [];
  private readonly outbox = new Map<string, OutboxEntry>();
  private nextAlertId = 1;
  private assessments = 0;

  constructor(opts: MemoryStoreOptions = {}) {
    const r = opts.retainMinutes ?? Infinity;
    if (!(r >= 0)) throw new RangeError(`retainMinutes must be ≥ 0, got ${r}`);
    this.retain = r;
  }

  async writeBatch(batch: MinuteBatch): Promise<WriteResult> {
    return this.write(batch);
  }

  /**
   * writeBatch's work, in a plain method: the optimised code of an async function walked arrays
   * through iterator objects (garbage on every row of a backtest). The scopes a batch touches are
   * listed in a reused array, marked with the batch's serial (no Set and no closure per batch).
   */
  private write(batch: MinuteBatch): WriteResult {
    const serial = ++this.writeSerial;
    const touched = this.touched;
    touched.length = 0;
    let last: ScopeData | null = null;
    let lastScope = '';
    const data = (scope: string): ScopeData => {
      if (last !== null && scope === lastScope) return last;
      lastScope = scope;
      last = this.scopeData(scope);
      if (last.writeSerial !== serial) {
        last.writeSerial = serial;
        touched.push(last);
      }
      return last;
    };
    // Rows of one scope-minute come together: look its cell up once per run of rows.
    const rows = batch.counts;
    for (let i = 0; i < rows.length;) {
      const c = rows[i];
      let j = i + 1;
      while (j < rows.length && rows[j].minute === c.minute && rows[j].scope === c.scope) j++;
      const d = data(c.scope);
      const cell = this.cell(d, c.minute);
      d.hasCounts = true;
      if (cell.countRows === null) cell.countRows = rows.slice(i, j);
      else for (let k = i; k < j; k++) cell.countRows.push(rows[k]);
      i = j;
    }
    const codes = batch.authCodes;
    for (let i = 0; i < codes.length; i++) {
      const a = codes[i];
      const cell = this.cell(data(a.scope), a.minute);
      (cell.authCodes ??= new Map()).set(a.authCode, a.count);
    }
    let rawAccepted = 0;
    const raw = batch.raw;
    for (let i = 0; i < raw.length; i++) {
      const t = raw[i];
      if (this.rawIds.has(t.id)) continue;
      this.rawIds.add(t.id);
      rawAccepted++;
      const d = data(t.scope);
      const cell = this.cell(d, t.minute);
      const counts = foldCounts(cell);
      counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
      d.hasCounts = true;
      if (t.authCode !== undefined) {
        const codes = (cell.authCodes ??= new Map());
        codes.set(t.authCode, (codes.get(t.authCode) ?? 0) + 1);
      }
    }
    if (this.retain !== Infinity) for (let i = 0; i < touched.length; i++) this.evict(touched[i]);
    touched.length = 0;
    return { counts: batch.counts.length, authCodes: batch.authCodes.length, rawAccepted, rawDuplicates: batch.raw.length - rawAccepted };
  }

  async readCounts(scope: string, from: EpochMinute, to: EpochMinute): Promise<CountRow[]> {
    const rows: CountRow[] = [];
    for (const [minute, cell] of this.range(scope, from, to)) {
      if (!cell.counts && !cell.countRows) continue;
      const counts = foldCounts(cell);
      for (const status of [...counts.keys()].sort(byKey)) rows.push({ scope, minute, status, count: counts.get(status)! });
    }
    return rows;
  }

  async readAuthCodes(scope: string, from: EpochMinute, to: EpochMinute): Promise<AuthCodeRow[]> {
    const rows: AuthCodeRow[] = [];
    for (const [minute, cell] of this.range(scope, from, to)) {
      if (!cell.authCodes) continue;
      for (const authCode of [...cell.authCodes.keys()].sort(byKey)) rows.push({ scope, minute, authCode, count: cell.authCodes.get(authCode)! });
    }
    return rows;
  }

  async listScopes(): Promise<ScopeInfo[]> {
    return [...this.scopes.entries()]
      .filter(([, d]) => d.hasCounts)
      .sort((a, b) => byKey(a[0], b[0]))
      .map(([scope, d]) => ({ scope, firstMinute: d.firstMinute, lastMinute: d.lastMinute, lastEvaluated: d.lastEvaluated }));
  }

  async saveEvaluation(assessments: Assessment[], changes: AlertChange[], outbox: OutboxEntry[] = []): Promise<Alert[]> {
    for (const a of assessments) {
      const d = this.scopeData(a.scope);
      if (d.lastEvaluated === null || a.minute > d.lastEvaluated) d.lastEvaluated = a.minute;
      this.assessments++;
    }
    // One evaluation may create an alert and change it again (several minutes closed at once).
    const created = new Map<string, number>();
    const saved: Alert[] = [];
    for (const change of changes) {
      const alert = { ...change.alert, labels: { ...change.alert.labels } };
      if (alert.id === 0 && created.has(alert.fingerprint)) alert.id = created.get(alert.fingerprint)!;
      if (alert.id === 0) {
        alert.id = this.nextAlertId++;
        created.set(alert.fingerprint, alert.id);
      }
      if (alert.state === 'resolved') created.delete(alert.fingerprint);
      this.alertsById.set(alert.id, alert);
      if (alert.state === 'resolved') this.open.delete(alert.id);
      else this.open.set(alert.id, alert);
      const t = change.transition;
      if (t) this.history.push({ alertId: alert.id, at: t.at, from: t.from, to: t.to, severity: alert.severity, score: alert.score, note: t.note });
      saved.push(alert);
    }
    for (const o of outbox) if (!this.outbox.has(o.id)) this.outbox.set(o.id, o);
    return saved;
  }

  /** Alerts not resolved (pending or firing), by id. */
  async openAlerts(): Promise<Alert[]> {
    return [...this.open.values()].sort((a, b) => a.id - b.id).map((a) => ({ ...a, labels: { ...a.labels } }));
  }

  /** Every alert ever stored, by id. */
  async listAlerts(): Promise<Alert[]> {
    return [...this.alertsById.values()].sort((a, b) => a.id - b.id);
  }

  async getAlert(id: number): Promise<Alert | null> {
    return this.alertsById.get(id) ?? null;
  }

  /** State transitions of one alert, in order. */
  async alertHistory(id: number): Promise<AlertTransition[]> {
    return this.history.filter((t) => t.alertId === id);
  }

  /** Outbox entries written with the evaluations, in insertion order. */
  outboxEntries(): OutboxEntry[] {
    return [...this.outbox.values()];
  }

  /** Sizes, for tests and memory checks. */
  stats(): { scopes: number; minutesKept: number; rawIds: number; assessments: number; alerts: number; openAlerts: number } {
    let minutesKept = 0;
    for (const d of this.scopes.values()) minutesKept += d.minutes.size;
    return { scopes: this.scopes.size, minutesKept, rawIds: this.rawIds.size, assessments: this.assessments, alerts: this.alertsById.size, openAlerts: this.open.size };
  }

  private scopeData(scope: string): ScopeData {
    let d = this.scopes.get(scope);
    if (!d) this.scopes.set(scope, (d = { minutes: new Map(), firstMinute: Infinity, lastMinute: -Infinity, hasCounts: false, lastEvaluated: null, writeSerial: 0 }));
    return d;
  }

  private cell(d: ScopeData, minute: EpochMinute): MinuteCell {
    let cell = d.minutes.get(minute);
    if (!cell) {
      d.minutes.set(minute, (cell = { counts: null, authCodes: null, countRows: null }));
      if (minute < d.firstMinute) d.firstMinute = minute;
      if (minute > d.lastMinute) d.lastMinute = minute;
    }
    return cell;
  }

  /** Drops minutes older than the retention window, oldest inserted first. */
  private evict(d: ScopeData): void {
    const cutoff = d.lastMinute - this.retain;
    for (const minute of d.minutes.keys()) {
      if (minute >= cutoff) break;
      d.minutes.delete(minute);
    }
  }

  private range(scope: string, from: EpochMinute, to: EpochMinute): Array<[EpochMinute, MinuteCell]> {
    const d = this.scopes.get(scope);
    if (!d) return [];
    const out: Array<[EpochMinute, MinuteCell]> = [];
    for (const entry of d.minutes) if (entry[0] >= from && entry[0] < to) out.push(entry);
    return out.sort((a, b) => a[0] - b[0]);
  }
}
