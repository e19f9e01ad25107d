/** Clocks the engine is given: the wall clock live, a virtual clock over files. */
export interface Clock { now(): number }

export const wallClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (replay, backtest, tests). */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start = 0) { this.t = start; }
  now(): number { return this.t; }
  set(ms: number): void { if (ms > this.t) this.t = ms; }
  advance(ms: number): void { this.t += ms; }
}
