/**
 * Live events for Server-Sent Events clients (dashboard). Each event gets an increasing id; a
 * small ring buffer lets a reconnecting client catch up from Last-Event-ID.
 */
export interface HubEvent { id: number; type: string; data: unknown }

export class EventHub {
  private nextId = 1;
  private readonly buffer: HubEvent[] = [];
  private readonly subscribers = new Set<(e: HubEvent) => void>();
  private readonly capacity: number;

  constructor(capacity = 1000) {
    this.capacity = capacity;
  }

  publish(type: string, data: unknown): void {
    const event = { id: this.nextId++, type, data };
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const s of this.subscribers) s(event);
  }

  /** Events after `lastId` still in the buffer. */
  since(lastId: number): HubEvent[] {
    return this.buffer.filter((e) => e.id > lastId);
  }

  subscribe(fn: (e: HubEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get clients(): number {
    return this.subscribers.size;
  }
}
