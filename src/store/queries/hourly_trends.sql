-- name: hourly_trends
--
-- What it answers: how does volume and its mix move hour by hour, against the hour before and
-- the same hour the day before? One row per UTC hour with data.
--
-- Hours are computed with integer arithmetic on epoch minutes (minute - minute % 60), not with
-- date functions, which differ between SQLite and PostgreSQL. change_vs_previous_hour compares
-- with the previous hour that had data (NULL for the first); day_before_total is the same hour
-- 24 h earlier when it lies in the range (NULL otherwise).
--
-- Parameters:
--   :from   time  default=-7d     first minute of the range (inclusive)
--   :to     time  default=latest  end of the range (exclusive)
--   :scope  text  default=all     scope of the series
--
-- Columns: hour_minute (epoch minute of the hour's start, shown as ISO-8601), minutes with
-- data, counts, mean transactions per minute with data (mean_per_min), shares.
WITH per_hour AS (
  SELECT
    minute - minute % 60                                                          AS hour_minute,
    COUNT(DISTINCT minute)                                                        AS minutes_with_data,
    CAST(SUM(count) AS BIGINT)                                                    AS total,
    CAST(SUM(CASE WHEN status = 'approved' THEN count ELSE 0 END) AS BIGINT)      AS approved,
    CAST(SUM(CASE WHEN status = 'denied' THEN count ELSE 0 END) AS BIGINT)        AS denied,
    CAST(SUM(CASE WHEN status = 'failed' THEN count ELSE 0 END) AS BIGINT)        AS failed,
    CAST(SUM(CASE WHEN status IN ('reversed', 'backend_reversed') THEN count ELSE 0 END) AS BIGINT) AS reversed
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :from
    AND minute < :to
  GROUP BY minute - minute % 60
)
SELECT
  h.hour_minute,
  h.minutes_with_data,
  h.total,
  h.approved,
  h.denied,
  h.failed,
  h.reversed,
  CAST(h.total AS DOUBLE PRECISION) / h.minutes_with_data  AS mean_per_min,
  CAST(h.approved AS DOUBLE PRECISION) / NULLIF(h.total, 0) AS approved_share,
  CAST(h.denied AS DOUBLE PRECISION) / NULLIF(h.total, 0)   AS denied_share,
  CAST(h.failed AS DOUBLE PRECISION) / NULLIF(h.total, 0)   AS failed_share,
  h.total - LAG(h.total) OVER (ORDER BY h.hour_minute)      AS change_vs_previous_hour,
  d.total                                                   AS day_before_total
FROM per_hour h
LEFT JOIN per_hour d ON d.hour_minute = h.hour_minute - 1440
ORDER BY h.hour_minute;
