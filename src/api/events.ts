/**
 * Live events for Server-Sent Events clients (dashboard). Each event gets an increasing id; a
 * small ring buffer lets a reconnecting client catch up from Last-Event-ID. The buffer is bounded
 * by count and by bytes (issue #13 item 3: one large ingest evaluates thousands of minutes, and a
 * thousand such events must not pin gigabytes): each event is serialised once, at publish, and
 * the oldest events go when either bound is passed (a client asking from before them gets `reset`).
 */
export interface HubEvent { id: number; type: string; data: unknown; /** `data` as JSON, computed once. */ json: string }

export class EventHub {
  private nextId = 1;
  /** Buffered events keep only their JSON (the objects would pin every assessment twice). */
  private readonly buffer: Array<{ id: number; type: string; json: string }> = [];
  private readonly subscribers = new Set<(e: HubEvent) => void>();
  private readonly capacity: number;
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(capacity = 1000, maxBytes = 16 * 1024 * 1024) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  publish(type: string, data: unknown): void {
    const event = { id: this.nextId++, type, data, json: JSON.stringify(data) };
    this.buffer.push({ id: event.id, type, json: event.json });
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
    return () => this.subscribers.delete(fn);
  }

  get clients(): number {
    return this.subscribers.size;
  }
}
