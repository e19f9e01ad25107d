/**
 * Live events for Server-Sent Events clients (dashboard). Each event gets an increasing id; a
 * small ring buffer lets a reconnecting client catch up from Last-Event-ID. The buffer is bounded
 * by count and by bytes (issue #13 item 3: one large ingest evaluates thousands of minutes, and a
 * thousand such events must not pin gigabytes): each event is serialised once, at publish, and
 * the oldest events go when either bound is passed (a client asking from before them gets `reset`).
 *
 * Events are built, serialised and buffered only while someone can ask for them: a client is
 * connected, or one left less than `reconnectWindowMs` ago (a browser reconnects after seconds).
 * With nobody listening an event only takes its id (issue #15: serialising every evaluated minute
 * for no one was ≈ 1.5 % of an ingest request); the buffer is then emptied, so a client coming
 * back later from an id it saw gets `reset`, as when the buffer has rotated past its id.
 */
export interface HubEvent { id: number; type: string; data: unknown; /** `data` as JSON, computed once. */ json: string }

export interface EventHubOptions {
  /** Most events buffered (default 1000). */
  capacity?: number;
  /** Most characters of JSON buffered (default 16 MB). */
  maxBytes?: number;
  /** How long after the last client left events are still buffered for its reconnect (default 60 s). */
  reconnectWindowMs?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
}

export class EventHub {
  private nextId = 1;
  /** Buffered events keep only their JSON (the objects would pin every assessment twice). */
  private readonly buffer: Array<{ id: number; type: string; json: string }> = [];
  private readonly subscribers = new Set<(e: HubEvent) => void>();
  private readonly capacity: number;
  private readonly maxBytes: number;
  private readonly reconnectWindowMs: number;
  private readonly now: () => number;
  private bytes = 0;
  /** When the last client left (null: none has, or one is connected). */
  private lastLeftAt: number | null = null;

  constructor(opts: EventHubOptions = {}) {
    this.capacity = opts.capacity ?? 1000;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.reconnectWindowMs = opts.reconnectWindowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Can anyone receive an event now: a client connected, or one that may reconnect soon? */
  get listening(): boolean {
    if (this.subscribers.size > 0) return true;
    return this.lastLeftAt !== null && this.now() - this.lastLeftAt < this.reconnectWindowMs;
  }

  /** The id of the newest event published (0: none yet); ids keep counting while nobody listens. */
  get lastId(): number {
    return this.nextId - 1;
  }

  publish(type: string, data: unknown): void {
    this.publishWith(type, () => data);
  }

  /** Publishes an event whose payload `make` builds only when someone can receive it. */
  publishWith(type: string, make: () => unknown): void {
    const id = this.nextId++;
    if (!this.listening) {
      // Nobody can ask for this event: the buffer no longer reaches back without a gap.
      if (this.buffer.length > 0) {
        this.buffer.length = 0;
        this.bytes = 0;
      }
      return;
    }
    const data = make();
    const event = { id, type, data, json: JSON.stringify(data) };
    this.buffer.push({ id, type, json: event.json });
    this.bytes += event.json.length;
    // Keep at least the newest event, however large, so live clients and a reconnect just after it work.
    while (this.buffer.length > 1 && (this.buffer.length > this.capacity || this.bytes > this.maxBytes)) {
      this.bytes -= this.buffer.shift()!.json.length;
    }
    for (const s of this.subscribers) s(event);
  }

  /** Characters of JSON held by the replay buffer. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Events after `lastId` still in the buffer. */
  since(lastId: number): HubEvent[] {
    return this.buffer.filter((e) => e.id > lastId).map((e) => ({ ...e, get data() { return JSON.parse(e.json) as unknown; } }));
  }

  subscribe(fn: (e: HubEvent) => void): () => void {
    this.subscribers.add(fn);
    this.lastLeftAt = null;
    return () => {
      if (this.subscribers.delete(fn) && this.subscribers.size === 0) this.lastLeftAt = this.now();
    };
  }

  get clients(): number {
    return this.subscribers.size;
  }
}
