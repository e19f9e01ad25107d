/**
 * PostgreSQL driver on `pg` (pooled). Every error leaves it as a TxmonError: "cannot reach the
 * server" is the retryable 503 TXMON_ERR_STORE_UNAVAILABLE, anything else a 500 naming what
 * failed; neither message carries the database URL (API clients see it), the driver error stays
 * on `cause` for the log.
 *
 * Types: BIGINT and NUMERIC come back from the driver as strings; this pool parses them to
 * numbers (epoch ms and counts fit a double exactly).
 */
import pg from 'pg';
import { TxmonError } from '../../domain/errors.ts';
import { compileNamed } from '../placeholders.ts';
import { bindStatement, compileFor, type Bound, type Compiled, type Driver, type GroupCommit, type Params, type Row, type Session, type TransactionOptions } from '../driver.ts';
import { PostgresGroup } from './group.ts';
import { isStoreUnavailable, storeUnavailable } from '../unavailable.ts';
import { parsePgUrl, redact } from './connection.ts';
import { postgresDialect } from './dialect.ts';

type Client = pg.PoolClient;
/** What runs a query: the pool, or the client of a transaction. */
type Queryable = Pick<pg.Pool, 'query'>;

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const toNumber = (v: string) => Number(v);

/** Per-pool type parsers (not pg's global registry, which other code in the process may use). */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** Compiled statements kept at most (named queries and filter combinations are few; a bound). */
const MAX_CACHED = 1000;

export class PostgresDriver implements Driver {
  readonly dialect = postgresDialect;
  readonly pool: pg.Pool;
  /** Schema this store lives in, or null for the server default. */
  readonly namespace: string | null;
  private readonly label: string;
  private readonly compiled = new Map<string, Compiled>();

  constructor(url: string) {
    const target = parsePgUrl(url);
    this.namespace = target.schema;
    this.label = redact(url);
    this.pool = new pg.Pool({
      connectionString: target.connectionString,
      options: target.options,
      max: target.max,
      types: typeParsers,
      application_name: 'txmon',
      // A stopped or unreachable server fails requests in seconds instead of queueing them.
      connectionTimeoutMillis: 5000,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
    // Every client gets a listener of its own for its whole life: pg-pool listens only while a
    // client is idle or inside pool.query, and a client released by a query callback can be handed
    // to the next waiter in the same tick as the server's "terminating connection" message, before
    // that waiter's listener exists (seen under pg_terminate_backend in the fault suite). The
    // broken client then fails its next query, which is answered 503 and destroys it.
    this.pool.on('connect', (client) => { client.on('error', () => {}); });
    this.pooled = this.session(this.pool, true);
  }

  /** Where this store points, password removed: for the server log, never for API clients. */
  get location(): string {
    return this.label;
  }

  /** A driver error as a TxmonError (see the module comment). */
  private storeError(err: unknown, what: string): TxmonError {
    if (err instanceof TxmonError) return err;
    if (isStoreUnavailable(err)) return storeUnavailable(err);
    const out = new TxmonError('TXMON_ERR_STORE', `PostgreSQL ${what}: ${(err as Error).message}`);
    (out as { cause?: unknown }).cause = err;
    return out;
  }

  /** The positional statement(s) of a named statement and its parameters. */
  private bind(sql: string, params: Params = {}): Bound[] {
    let c = this.compiled.get(sql);
    if (!c) {
      if (this.compiled.size >= MAX_CACHED) this.compiled.clear();
      this.compiled.set(sql, (c = compileFor(compileNamed(sql), this.dialect)));
    }
    return bindStatement(c, params);
  }

  /** Runs a named statement on `on`; one result per statement (a Rows split in several). */
  private async query(on: Queryable, sql: string, params: Params = {}): Promise<pg.QueryResult<Row>[]> {
    const out: pg.QueryResult<Row>[] = [];
    for (const { text, runs } of this.bind(sql, params)) for (const values of runs) out.push(await on.query(text, values as unknown[]));
    return out;
  }

  /** all/get/run/exec on `on`; errors of the pool (outside a transaction) are mapped here. */
  private session(on: Queryable, mapErrors: boolean): Session {
    const guard = async <T>(p: Promise<T>): Promise<T> => {
      if (!mapErrors) return p;
      try {
        return await p;
      } catch (err) {
        throw this.storeError(err, 'query failed');
      }
    };
    return {
      all: (sql, params) => guard(this.query(on, sql, params).then((rs) => (rs.length === 1 ? rs[0].rows : rs.flatMap((r) => r.rows)))),
      get: (sql, params) => guard(this.query(on, sql, params).then((rs) => rs[0]?.rows[0])),
      run: (sql, params) => guard(this.query(on, sql, params).then((rs) => rs.reduce((n, r) => n + (r.rowCount ?? 0), 0))),
      exec: (script) => guard(on.query(script).then(() => undefined)),
    };
  }

  /** all/get/run/exec on the pool, each statement on whichever connection is free. */
  private readonly pooled: Session;
  all(sql: string, params?: Params): Promise<Row[]> { return this.pooled.all(sql, params); }
  get(sql: string, params?: Params): Promise<Row | undefined> { return this.pooled.get(sql, params); }
  run(sql: string, params?: Params): Promise<number> { return this.pooled.run(sql, params); }
  exec(script: string): Promise<void> { return this.pooled.exec(script); }

  /**
   * Checks a client out of the pool with an 'error' listener of its own: a checked-out client
   * whose server goes away (restart, pg_terminate_backend) emits 'error', and pg-pool listens
   * only on idle clients, so without this the process dies of an unhandled 'error' event.
   * `release` hands a broken client back with its error, so the pool destroys it.
   */
  private async connect(): Promise<{ client: Client; release: () => void }> {
    let client: Client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.storeError(err, 'connection failed');
    }
    let broken: Error | undefined;
    const onError = (err: Error) => { broken = err; };
    client.on('error', onError);
    return {
      client,
      release: () => {
        client.removeListener('error', onError);
        client.release(broken ?? undefined);
      },
    };
  }

  /** The open group (see GroupCommit; src/store/postgres/group.ts), or null. */
  private group: PostgresGroup | null = null;

  /** Group commit: deferrable transactions join the open group; everything else runs on the pool. */
  readonly groups: GroupCommit = {
    deferred: true,
    beginGroup: async () => {
      this.group ??= new PostgresGroup({
        connect: () => this.connect(),
        bind: (sql, params) => this.bind(sql, params),
        storeError: (err, what) => this.storeError(err, what),
      });
    },
    commitGroup: async () => {
      const group = this.group;
      this.group = null;
      if (group) await group.commit();
    },
  };

  /** Runs `fn` in one transaction on one pooled connection (or in the open group); rolls back on any error. */
  async transaction<T>(fn: (tx: Session) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    if (opts.deferrable && this.group) return this.group.transaction(fn);
    const { client, release } = await this.connect();
    try {
      await client.query(opts.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      const result = await fn(this.session(client, false));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw this.storeError(err, `${opts.label ?? 'transaction'} failed`);
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.group && !this.pool.ended) await this.groups.commitGroup();
    if (!this.pool.ended) await this.pool.end();
  }
}
