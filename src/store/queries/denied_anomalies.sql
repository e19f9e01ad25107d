-- name: denied_anomalies
--
-- What it answers: in which minutes was the denied share unusually high for the volume of that
-- minute? One row per anomalous minute.
--
-- The baseline share p is denied / total over the :window minutes before (window function,
-- RANGE frame). A binomial test judges the minute: expected = p * total, z = (denied -
-- expected) / sqrt(total * p * (1 - p)), with the variance floored at 1 so a baseline without
-- denials does not give an infinite z. A minimum-volume gate (:min_total) keeps quiet minutes
-- from alerting on a share of 1 out of 2.
--
-- Parameters:
--   :from          time     default=-24h               first minute of the range (inclusive)
--   :to            time     default=latest             end of the range (exclusive)
--   :scope         text     default=all                scope of the series
--   :window        integer  default=60 range=5..10080  baseline length in minutes
--   :threshold     number   default=3 range=0..1000    z-score the minute must reach
--   :min_total     integer  default=20 range=0..       fewest transactions a minute needs to be judged
--   :min_baseline  integer  default=10 range=1..10080  fewest baseline minutes with data (no verdicts while warming up)
WITH per_minute AS (
  SELECT
    minute,
    CAST(SUM(count) AS BIGINT)                                          AS total,
    CAST(SUM(CASE WHEN status = 'denied' THEN count ELSE 0 END) AS BIGINT) AS denied
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :from - :window
    AND minute < :to
  GROUP BY minute
),
windowed AS (
  SELECT
    minute, total, denied,
    COUNT(*)    OVER baseline AS n,
    SUM(denied) OVER baseline AS base_denied,
    SUM(total)  OVER baseline AS base_total
  FROM per_minute
  WINDOW baseline AS (ORDER BY minute RANGE BETWEEN :window PRECEDING AND 1 PRECEDING)
),
shares AS (
  SELECT
    minute, total, denied, n,
    CAST(denied AS DOUBLE PRECISION) / NULLIF(total, 0)           AS share,
    CAST(base_denied AS DOUBLE PRECISION) / NULLIF(base_total, 0) AS p
  FROM windowed
  WHERE minute >= :from
    AND total >= :min_total
    AND n >= :min_baseline
    AND base_total > 0
),
scored AS (
  SELECT
    minute, total, denied, n, share, p,
    p * total AS expected,
    (denied - p * total) / SQRT(CASE WHEN total * p * (1 - p) >= 1 THEN total * p * (1 - p) ELSE 1 END) AS z
  FROM shares
)
SELECT
  minute,
  denied,
  total,
  n              AS baseline_minutes,
  share          AS denied_share,
  p              AS baseline_share,
  expected,
  denied - expected AS excess,
  z
FROM scored
WHERE z >= :threshold
ORDER BY minute;
