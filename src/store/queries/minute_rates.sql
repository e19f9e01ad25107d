-- name: minute_rates
--
-- What it answers: which share of each minute's transactions ended in each status, and how
-- well were attempts approved? One row per minute with data.
--
-- Shares are status / total of the minute (NULL when the minute has no transactions).
-- approval_rate = approved / (approved + denied + failed), the attempts that got a decision;
-- problem_share = (denied + failed + reversed + backend_reversed) / total;
-- per_second = total / 60.
--
-- Parameters:
--   :from   time  default=-24h    first minute of the range (inclusive)
--   :to     time  default=latest  end of the range (exclusive)
--   :scope  text  default=all     scope of the series
--
-- Portable arithmetic: counts are CAST to DOUBLE PRECISION before dividing (integer division in
-- both dialects otherwise; 1.0 would be NUMERIC in PostgreSQL), divisors go through NULLIF(x, 0).
WITH per_minute AS (
  SELECT
    minute,
    CAST(SUM(count) AS BIGINT)                                                    AS total,
    CAST(SUM(CASE WHEN status = 'approved'         THEN count ELSE 0 END) AS BIGINT) AS approved,
    CAST(SUM(CASE WHEN status = 'denied'           THEN count ELSE 0 END) AS BIGINT) AS denied,
    CAST(SUM(CASE WHEN status = 'failed'           THEN count ELSE 0 END) AS BIGINT) AS failed,
    CAST(SUM(CASE WHEN status = 'reversed'         THEN count ELSE 0 END) AS BIGINT) AS reversed,
    CAST(SUM(CASE WHEN status = 'backend_reversed' THEN count ELSE 0 END) AS BIGINT) AS backend_reversed,
    CAST(SUM(CASE WHEN status = 'refunded'         THEN count ELSE 0 END) AS BIGINT) AS refunded
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :from
    AND minute < :to
  GROUP BY minute
)
SELECT
  minute,
  total,
  CAST(total AS DOUBLE PRECISION) / 60                                       AS per_second,
  CAST(approved AS DOUBLE PRECISION) / NULLIF(total, 0)                      AS approved_share,
  CAST(denied AS DOUBLE PRECISION) / NULLIF(total, 0)                        AS denied_share,
  CAST(failed AS DOUBLE PRECISION) / NULLIF(total, 0)                        AS failed_share,
  CAST(reversed AS DOUBLE PRECISION) / NULLIF(total, 0)                      AS reversed_share,
  CAST(backend_reversed AS DOUBLE PRECISION) / NULLIF(total, 0)              AS backend_reversed_share,
  CAST(refunded AS DOUBLE PRECISION) / NULLIF(total, 0)                      AS refunded_share,
  CAST(approved AS DOUBLE PRECISION) / NULLIF(approved + denied + failed, 0) AS approval_rate,
  CAST(denied + failed + reversed + backend_reversed AS DOUBLE PRECISION) / NULLIF(total, 0) AS problem_share
FROM per_minute
ORDER BY minute;
