/**
 * Group commit on PostgreSQL (issue #15): the ingest requests that reach the engine while a
 * commit is in flight are stored and evaluated together, in one transaction sent in one round
 * trip when the group commits.
 *
 * While a group is open, a transaction marked `deferrable` (its caller does not read what `run`
 * resolves to: writeBatch's count rows, saveEvaluation's assessments and outbox rows) does not
 * send its writes: they are bound and kept, in order. A read inside such a transaction (an alert
 * inserted RETURNING its id, raw transactions RETURNING the ids stored) first sends what is kept,
 * inside the group's transaction on a connection of its own, then runs there. commit() sends the
 * rest and COMMIT in one simple-query message ("BEGIN; …; COMMIT" when nothing was sent before).
 * In that message the values are written into the text as quoted literals: pg's escapeLiteral of
 * the text pg would have sent as the parameter, a literal whose type the server infers from the
 * context exactly as for a parameter (pg sends parameters untyped).
 *
 * Statements outside deferrable transactions never join a group: they run on the pool and see
 * the group's rows once it committed (the engine commits the open group before a step that must
 * read what it wrote: see Engine).
 *
 * A failed statement fails the whole group (its transaction is lost): the commit throws, every
 * request of the group is answered with the error, and the engine rebuilds from the store. A
 * deferrable transaction whose own code throws drops the writes it kept; if some were sent
 * already, the group fails at its commit.
 */
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';
import type { Bound, Params, Row, Session } from '../driver.ts';

/** A connection of the pool, checked out (see PostgresDriver.connect). */
export interface Checkout { client: pg.PoolClient; release: () => void }

/** What the group needs from the driver. */
export interface GroupHost {
  connect(): Promise<Checkout>;
  /** The positional statement(s) of a named statement (several when a Rows is split). */
  bind(sql: string, params?: Params): Bound[];
  /** A driver error as the store's error. */
  storeError(err: unknown, what: string): Error;
}

export class PostgresGroup {
  private readonly host: GroupHost;
  /** Statements bound and kept, as text with their values written in; not sent yet. */
  private kept: string[] = [];
  /** The group's connection once something was sent (its transaction begun), else null. */
  private conn: Checkout | null = null;
  /** How many times kept statements were sent (a throwing transaction knows whether its writes left). */
  private sends = 0;
  /** Set when the group cannot commit: its commit rolls back and throws this. */
  private failure: unknown = null;
  /** The session of deferrable transactions in this group. */
  readonly session: Session;

  constructor(host: GroupHost) {
    this.host = host;
    this.session = {
      run: async (sql, params) => {
        for (const { text, runs } of this.host.bind(sql, params)) for (const values of runs) this.kept.push(inlineStatement(text, values));
        return -1; // unknown until the commit: callers of deferrable transactions do not read it
      },
      all: async (sql, params) => {
        const client = await this.sendKept();
        const out: Row[] = [];
        for (const { text, runs } of this.host.bind(sql, params)) {
          for (const values of runs) for (const r of (await this.guard(client.query(text, values as unknown[]))).rows as Row[]) out.push(r);
        }
        return out;
      },
      get: async (sql, params) => (await this.session.all(sql, params))[0],
      exec: async (script) => {
        const client = await this.sendKept();
        await this.guard(client.query(script));
      },
    };
  }

  /** Runs a deferrable transaction in this group. */
  async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
    const mark = this.kept.length;
    const sends = this.sends;
    try {
      return await fn(this.session);
    } catch (err) {
      // Nothing of it left: forget its writes. Some did: the group's transaction holds them.
      if (this.sends === sends) this.kept.length = mark;
      else this.failure ??= err;
      throw err;
    }
  }

  /** Sends the kept statements inside the group's transaction (begun now if it was not). */
  private async sendKept(): Promise<pg.PoolClient> {
    if (this.failure) throw this.failure;
    if (!this.conn) {
      this.conn = await this.host.connect();
      this.kept.unshift('BEGIN');
    }
    if (this.kept.length > 0) {
      const text = this.kept.join(';\n');
      this.kept = [];
      this.sends++;
      await this.guard(this.conn.client.query(text));
    }
    return this.conn.client;
  }

  /** Marks the group failed when a statement of it fails (its transaction is lost). */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      this.failure ??= err;
      throw this.host.storeError(err, 'group statement failed');
    }
  }

  /** Whether anything was written in the group. */
  get empty(): boolean {
    return this.conn === null && this.kept.length === 0;
  }

  /** Sends what is kept and COMMIT, in one round trip; on any failure rolls back and throws. */
  async commit(): Promise<void> {
    if (this.empty && !this.failure) return;
    let conn = this.conn;
    try {
      if (this.failure) throw this.failure;
      if (!conn) {
        conn = this.conn = await this.host.connect();
        this.kept.unshift('BEGIN');
      }
      this.kept.push('COMMIT');
      const text = this.kept.join(';\n');
      this.kept = [];
      await conn.client.query(text);
    } catch (err) {
      if (conn) await conn.client.query('ROLLBACK').catch(() => {});
      throw this.host.storeError(err, 'group commit failed');
    } finally {
      conn?.release();
      this.conn = null;
    }
  }
}

/** A positional statement with its values written in as literals (for a simple-query message). */
export function inlineStatement(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i >= values.length) throw new Error(`statement refers to $${n} but has ${values.length} values`);
    return literal(values[i]);
  });
}

/** A value as a quoted literal of unknown type (typed by the server from the context), or NULL. */
export function literal(value: unknown): string {
  const v = prepareValue(value) as string | Buffer | null;
  if (v === null) return 'NULL';
  if (typeof v !== 'string') throw new Error('binary values cannot be written into a group statement');
  return pg.escapeLiteral(v);
}
