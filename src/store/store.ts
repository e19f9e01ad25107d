/**
 * The storage contract, split into the roles its callers use (series, evaluations, alerts,
 * notifications, queries, checkout, maintenance). One implementation (src/store/sqlStore.ts)
 * serves every dialect through a driver; every store test runs against each available dialect.
 *
 * Guarantees: `writeBatch` is atomic (all rows of a request or none) and resolves only after
 * commit; `saveEvaluation` writes assessments, alert changes and the notifications they cause in
 * one transaction, so a crash never leaves an alert without its outbox entry or the reverse.
 */
import type {
  Alert, AlertChange, AlertState, AlertTransition, Assessment, EpochMinute, MinuteBatch, OutboxEntry, Severity,
} from '../domain/types.ts';
import type { CheckoutRow } from '../domain/checkout.ts';
import { TxmonError } from '../domain/errors.ts';
import type { RetentionKind } from './retention.ts';
import type { NotifyStore } from './notifyStore.ts';

export interface WriteResult {
  counts: number;
  authCodes: number;
  rawAccepted: number;
  rawDuplicates: number;
}

export interface CountRow { scope: string; minute: EpochMinute; status: string; count: number }
export interface AuthCodeRow { scope: string; minute: EpochMinute; authCode: string; count: number }

export interface ScopeInfo { scope: string; firstMinute: EpochMinute; lastMinute: EpochMinute; lastEvaluated: EpochMinute | null }

export interface AlertFilter {
  state?: AlertState | 'open';
  severity?: Severity;
  scope?: string;
  /** Alerts active at any time in [from, to) (epoch ms). */
  from?: number;
  to?: number;
  limit?: number;
}

export interface AssessmentFilter { scope?: string; from?: EpochMinute; to?: EpochMinute; minSeverity?: Severity; limit?: number }

export interface StoreStats { countRows: number; authCodeRows: number; rawRows: number; assessments: number; alerts: number }

/** The time series: what ingest writes and the engine and reports read. */
export interface SeriesStore {
  /** Stores one request's data atomically. Counts replace earlier values for the same key. */
  writeBatch(batch: MinuteBatch): Promise<WriteResult>;
  /** Count rows of one scope in [from, to) minutes, ordered by minute. */
  readCounts(scope: string, from: EpochMinute, to: EpochMinute): Promise<CountRow[]>;
  readAuthCodes(scope: string, from: EpochMinute, to: EpochMinute): Promise<AuthCodeRow[]>;
  listScopes(): Promise<ScopeInfo[]>;
}

/** Evaluated minutes: written by the engine with the alert changes they caused. */
export interface EvaluationStore {
  /** Persists evaluated minutes plus the alert changes and outbox entries they caused, atomically. Returns alerts with ids. */
  saveEvaluation(assessments: Assessment[], changes: AlertChange[], outbox?: OutboxEntry[]): Promise<Alert[]>;
  listAssessments(filter: AssessmentFilter): Promise<Assessment[]>;
}

/** Alerts as the lifecycle left them, with their history. */
export interface AlertStore {
  listAlerts(filter: AlertFilter): Promise<Alert[]>;
  getAlert(id: number): Promise<Alert | null>;
  alertHistory(id: number): Promise<AlertTransition[]>;
  /** Alerts not resolved (pending or firing). */
  openAlerts(): Promise<Alert[]>;
}

/** Read-only SQL: the named queries (src/store/queries). */
export interface QueryStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs a read-only named query with bound parameters (see src/store/queries). */
  runQuery(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]>;
}

/** Hourly POS checkout files. */
export interface CheckoutStore {
  /**
   * Replaces every row of one checkout source (one POS / one loaded file) in `checkout_hours`
   * with `rows`, in one transaction: readers see the old hours or the new ones, never a mix.
   * @throws TxmonError TXMON_ERR_BAD_PARAMETER for a bad source name (see {@link checkCheckoutSource})
   */
  writeCheckout(source: string, rows: readonly CheckoutRow[]): Promise<void>;
}

/** Keeping the database: schema, health, size, retention. */
export interface MaintenanceStore {
  /** Applies pending migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Is the store reachable? (health) */
  ping(): Promise<boolean>;
  stats(): Promise<StoreStats>;
  /**
   * Deletes at most `limit` rows of one kind older than `before` (an epoch minute; for alerts the
   * epoch ms of `ends_at`: resolved alerts only, with their history). Returns how many rows of the
   * kind went. Retention calls it in batches (src/store/retention.ts).
   */
  prune(kind: RetentionKind, before: number, limit: number): Promise<number>;
}

/**
 * The whole store: every role, on one database (src/store/sqlStore.ts). Callers name the roles
 * they use (the engine: {@link EngineStore}; the notification worker: NotifyStore; …).
 */
export interface Store extends SeriesStore, EvaluationStore, AlertStore, NotifyStore, QueryStore, CheckoutStore, MaintenanceStore {}

/** Longest accepted checkout source name. */
export const MAX_CHECKOUT_SOURCE = 200;

/**
 * Validates a checkout source name: 1 to {@link MAX_CHECKOUT_SOURCE} characters, no control
 * characters (it is shown in reports and logs). Returns the name.
 */
export function checkCheckoutSource(source: string): string {
  if (typeof source !== 'string' || source.length === 0 || source.length > MAX_CHECKOUT_SOURCE || /[\u0000-\u001f\u007f]/.test(source)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER',
      `checkout source must be a name of 1 to ${MAX_CHECKOUT_SOURCE} characters without control characters, got ${JSON.stringify(String(source).slice(0, 60))}`,
      { field: 'source', expected: `text of 1..${MAX_CHECKOUT_SOURCE} characters`, got: String(source).slice(0, 60) });
  }
  return source;
}
