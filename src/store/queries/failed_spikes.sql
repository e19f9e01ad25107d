-- name: failed_spikes
--
-- What it answers: which minutes had a failed count far above its rolling baseline? One row
-- per spike minute.
--
-- The baseline of a minute is the failed count over the :window minutes before it (minutes
-- with data only; a window function with a RANGE frame, so gaps do not stretch it). The score
-- is z = (failed - mean) / sqrt(scale), where scale is the baseline variance, but at least the
-- mean (Poisson: a count's variance is about its mean) and at least 1, so a quiet, flat
-- baseline does not turn 2 failures into an infinite z. A minute is a spike when
-- failed >= :min_count and z >= :threshold.
--
-- Parameters:
--   :from          time     default=-24h               first minute of the range (inclusive)
--   :to            time     default=latest             end of the range (exclusive)
--   :scope         text     default=all                scope of the series
--   :window        integer  default=60 range=5..10080  baseline length in minutes
--   :threshold     number   default=3 range=0..1000    z-score a spike must reach
--   :min_count     integer  default=3 range=0..        fewest failures a spike must have
--   :min_baseline  integer  default=10 range=1..10080  fewest baseline minutes with data (no verdicts while warming up)
--
-- Portable arithmetic: sums of counts stay integers (exact in both dialects) and are turned
-- into DOUBLE PRECISION once; CASE replaces GREATEST, which SQLite lacks.
WITH per_minute AS (
  SELECT
    minute,
    CAST(SUM(count) AS BIGINT)                                          AS total,
    CAST(SUM(CASE WHEN status = 'failed' THEN count ELSE 0 END) AS BIGINT) AS failed
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :from - :window
    AND minute < :to
  GROUP BY minute
),
windowed AS (
  SELECT
    minute, total, failed,
    COUNT(*)              OVER baseline AS n,
    SUM(failed)           OVER baseline AS s,
    SUM(failed * failed)  OVER baseline AS ss
  FROM per_minute
  WINDOW baseline AS (ORDER BY minute RANGE BETWEEN :window PRECEDING AND 1 PRECEDING)
),
moments AS (
  SELECT
    minute, total, failed, n,
    CAST(s AS DOUBLE PRECISION) / n                                            AS mean,
    CAST(ss AS DOUBLE PRECISION) / n - (CAST(s AS DOUBLE PRECISION) / n) * (CAST(s AS DOUBLE PRECISION) / n) AS variance
  FROM windowed
  WHERE minute >= :from
    AND n >= :min_baseline
),
scored AS (
  SELECT
    minute, total, failed, n, mean,
    CASE WHEN variance > 0 THEN SQRT(variance) ELSE 0 END AS sd,
    (failed - mean) / SQRT(CASE WHEN variance >= mean AND variance >= 1 THEN variance
                                WHEN mean >= 1 THEN mean
                                ELSE 1 END)                  AS z
  FROM moments
)
SELECT
  minute,
  failed,
  total,
  n    AS baseline_minutes,
  mean AS baseline_mean,
  sd   AS baseline_sd,
  z,
  failed - mean AS excess
FROM scored
WHERE failed >= :min_count
  AND z >= :threshold
ORDER BY minute;
