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
-- Differences are rounded to 3 decimals, percentages to 1. The CTE casts each value to NUMERIC
-- once, so the four diff/pct pairs below differ only in the baseline they name.
WITH h AS (
  SELECT
    hour, today, yesterday, same_day_last_week, avg_last_week, avg_last_month,
    CAST(today AS NUMERIC) AS t,
    CAST(yesterday AS NUMERIC) AS y,
    CAST(same_day_last_week AS NUMERIC) AS sdlw,
    CAST(avg_last_week AS NUMERIC) AS alw,
    CAST(avg_last_month AS NUMERIC) AS alm
  FROM checkout_hours
  WHERE source = :source
)
SELECT
  hour,
  today,
  yesterday,
  CAST(ROUND(t - y, 3) AS DOUBLE PRECISION) AS diff_yesterday,
  CASE WHEN y > 0 THEN CAST(ROUND(100.0 * (t - y) / y, 1) AS DOUBLE PRECISION) END AS pct_yesterday,
  same_day_last_week,
  CAST(ROUND(t - sdlw, 3) AS DOUBLE PRECISION) AS diff_same_day_last_week,
  CASE WHEN sdlw > 0 THEN CAST(ROUND(100.0 * (t - sdlw) / sdlw, 1) AS DOUBLE PRECISION) END AS pct_same_day_last_week,
  avg_last_week,
  CAST(ROUND(t - alw, 3) AS DOUBLE PRECISION) AS diff_avg_last_week,
  CASE WHEN alw > 0 THEN CAST(ROUND(100.0 * (t - alw) / alw, 1) AS DOUBLE PRECISION) END AS pct_avg_last_week,
  avg_last_month,
  CAST(ROUND(t - alm, 3) AS DOUBLE PRECISION) AS diff_avg_last_month,
  CASE WHEN alm > 0 THEN CAST(ROUND(100.0 * (t - alm) / alm, 1) AS DOUBLE PRECISION) END AS pct_avg_last_month
FROM h
ORDER BY hour;
