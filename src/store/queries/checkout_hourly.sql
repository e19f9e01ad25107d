-- name: checkout_hourly
--
-- What it answers: for one checkout source (one POS / one loaded file), how did each hour of
-- today compare with each baseline (yesterday, same day last week, average of last week, average
-- of last month)?  One row per hour, ordered by hour: today, each baseline, the difference
-- today − baseline (diff_*), and the change from the baseline in percent (pct_*; NULL when the
-- baseline is 0, where a percentage means nothing).
--
-- Parameters:
--   :source  TEXT  the source name the file was loaded under (e.g. "checkout_1")
--
-- Table: checkout_hours(source TEXT, hour INTEGER, today REAL, yesterday REAL,
--                       same_day_last_week REAL, avg_last_week REAL, avg_last_month REAL)
--
-- Portable: SQLite and PostgreSQL return the same rows. Arithmetic goes through NUMERIC (exact in
-- PostgreSQL, whose REAL is a 4-byte float, so 6.42 is not quite 6.42 there) and is rounded with
-- ROUND(NUMERIC, n) (PostgreSQL has no ROUND(float, n)), then returned as DOUBLE PRECISION so both
-- drivers hand back plain numbers. 100.0 (not 100) keeps SQLite from integer division.
-- Differences are rounded to 3 decimals, percentages to 1.
SELECT
  hour,
  today,
  yesterday,
  CAST(ROUND(CAST(today AS NUMERIC) - CAST(yesterday AS NUMERIC), 3) AS DOUBLE PRECISION) AS diff_yesterday,
  CASE WHEN yesterday > 0 THEN
    CAST(ROUND(100.0 * (CAST(today AS NUMERIC) - CAST(yesterday AS NUMERIC)) / CAST(yesterday AS NUMERIC), 1) AS DOUBLE PRECISION)
  END AS pct_yesterday,
  same_day_last_week,
  CAST(ROUND(CAST(today AS NUMERIC) - CAST(same_day_last_week AS NUMERIC), 3) AS DOUBLE PRECISION) AS diff_same_day_last_week,
  CASE WHEN same_day_last_week > 0 THEN
    CAST(ROUND(100.0 * (CAST(today AS NUMERIC) - CAST(same_day_last_week AS NUMERIC)) / CAST(same_day_last_week AS NUMERIC), 1) AS DOUBLE PRECISION)
  END AS pct_same_day_last_week,
  avg_last_week,
  CAST(ROUND(CAST(today AS NUMERIC) - CAST(avg_last_week AS NUMERIC), 3) AS DOUBLE PRECISION) AS diff_avg_last_week,
  CASE WHEN avg_last_week > 0 THEN
    CAST(ROUND(100.0 * (CAST(today AS NUMERIC) - CAST(avg_last_week AS NUMERIC)) / CAST(avg_last_week AS NUMERIC), 1) AS DOUBLE PRECISION)
  END AS pct_avg_last_week,
  avg_last_month,
  CAST(ROUND(CAST(today AS NUMERIC) - CAST(avg_last_month AS NUMERIC), 3) AS DOUBLE PRECISION) AS diff_avg_last_month,
  CASE WHEN avg_last_month > 0 THEN
    CAST(ROUND(100.0 * (CAST(today AS NUMERIC) - CAST(avg_last_month AS NUMERIC)) / CAST(avg_last_month AS NUMERIC), 1) AS DOUBLE PRECISION)
  END AS pct_avg_last_month
FROM checkout_hours
WHERE source = :source
ORDER BY hour;
