/**
 * The checkout analysis's unit of data, here because the store persists it (store/, floor 2)
 * and the analysis reads it (checkout/, floor 4): a type both use lives below both.
 */

/** One hour of a checkout file. */
export interface CheckoutRow {
  /** Hour of the day, 0..23. */
  hour: number;
  /** Sales today in this hour (a count: non-negative integer). */
  today: number;
  yesterday: number;
  same_day_last_week: number;
  avg_last_week: number;
  avg_last_month: number;
}
