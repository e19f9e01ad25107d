/**
 * WAL checkpoints on a thread of their own (issue #15). SQLite checkpoints from inside the COMMIT
 * that takes the WAL past 1,000 pages: that commit copies the pages into the database file and
 * syncs both files while the event loop waits (≈ 45 % of the commit time of an ingest group,
 * measured with bench/ingest.ts's write pattern). Here the service's connection turns automatic
 * checkpoints off and a worker thread, with a connection of its own to the same file, runs a
 * PASSIVE checkpoint every `intervalMs`: it copies what it can without waiting for the writer or
 * blocking it. Durability is unchanged: commits are written exactly as before, and a checkpoint
 * is still what syncs the database file.
 *
 * If the thread fails or exits, the connection goes back to automatic checkpoints.
 */
import { Worker } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';

/** SQLite's own default for wal_autocheckpoint, restored when the thread is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 5000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  const r = checkpoint.get();
  // Every frame of the WAL copied: the next commit starts the WAL over.
  if (r.log === r.checkpointed) parentPort.postMessage('complete');
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export class Checkpointer {
  private worker: Worker | null;
  private readonly db: DatabaseSync;
  /** Checkpoints that copied the whole WAL so far. */
  completed = 0;

  constructor(db: DatabaseSync, path: string, intervalMs = 200) {
    this.db = db;
    db.exec('PRAGMA wal_autocheckpoint = 0');
    const w = new Worker(THREAD, { eval: true, workerData: { path, intervalMs } });
    w.unref();
    w.on('message', () => { this.completed++; });
    w.on('error', () => this.fallBack());
    w.on('exit', () => this.fallBack());
    this.worker = w;
  }

  /** The thread is gone: SQLite checkpoints from the commits again. */
  private fallBack(): void {
    if (!this.worker) return;
    this.worker = null;
    try {
      if (this.db.isOpen) this.db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    } catch { /* the connection is closing */ }
  }

  /** Is the thread checkpointing (false after stop() or a failure)? */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Stops the thread and closes its connection (before the service's own connection closes). */
  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.ref(); // keeps the process alive until the thread has closed its connection
    w.postMessage('stop');
    await exited;
  }

  /** Ends the thread abruptly (tests: what a crash of it does). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }
}
