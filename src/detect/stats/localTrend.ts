/**
 * Local level and trend of a series (Holt's linear exponential smoothing with a damped trend):
 * the baseline of a series that has less than the seasonal history. A plain moving average lags a
 * ramp — the morning rise, the evening peak, the fall into the night — by its whole window and
 * calls the lag an anomaly; following the day's own smooth trend removes that bias, and damping
 * keeps the trend from being projected far past the data that showed it.
 *
 * Time is in minutes: a gap (minutes not learned) is bridged by projecting the damped trend over it.
 */
export class LocalTrend {
  private readonly alpha: number;
  private readonly beta: number;
  private readonly phi: number;
  private level = 0;
  private slope = 0;
  private last = 0;
  private n = 0;
  private readonly slopeAfter: number;

  /**
   * @param levelHalfLife minutes after which an observation weighs half in the level
   * @param slopeHalfLife the same for the trend (longer: a trend is a slower thing than a level)
   * @param damping per-minute damping φ of the trend, in (0, 1]
   * @param slopeAfter observations before the trend is learned at all (the first ones are noise)
   */
  constructor(levelHalfLife: number, slopeHalfLife: number, damping = 0.99, slopeAfter = 10) {
    this.slopeAfter = slopeAfter;
    if (!(levelHalfLife > 0) || !(slopeHalfLife > 0)) throw new RangeError('LocalTrend half-lives must be > 0');
    this.alpha = 1 - Math.pow(2, -1 / levelHalfLife);
    this.beta = 1 - Math.pow(2, -1 / slopeHalfLife);
    this.phi = damping;
  }

  /** Observations learned. */
  get count(): number {
    return this.n;
  }

  /** Σ φ^i for i = 1..h: how many minutes of trend a horizon of h minutes adds. */
  private horizon(h: number): number {
    if (h === 1) return this.phi; // the common case: the next minute (no Math.pow per series-minute)
    if (h <= 0) return 0;
    return this.phi === 1 ? h : (this.phi * (1 - Math.pow(this.phi, h))) / (1 - this.phi);
  }

  /** The expected value at `minute` (never below 0; 0 before any observation). */
  expected(minute: number): number {
    if (this.n === 0) return 0;
    return Math.max(0, this.level + this.slope * this.horizon(minute - this.last));
  }

  /** Learns the value of `minute` (minutes must increase; a repeated or older minute is ignored). */
  update(minute: number, x: number): void {
    if (!Number.isFinite(x)) return;
    if (this.n === 0) {
      this.level = x;
      this.last = minute;
      this.n = 1;
      return;
    }
    const h = minute - this.last;
    if (h <= 0) return;
    this.n++;
    // Until enough observations have arrived, the level is a plain running mean (the start is not
    // dominated by the first value) and the trend is not learned.
    const a = Math.max(this.alpha, 1 / this.n);
    const forecast = this.level + this.slope * this.horizon(h);
    const level = forecast + a * (x - forecast);
    const carried = this.slope * (h === 1 ? this.phi : Math.pow(this.phi, h));
    this.slope = this.n <= this.slopeAfter ? 0 : carried + this.beta * ((level - this.level) / h - carried);
    this.level = level;
    this.last = minute;
  }
}
