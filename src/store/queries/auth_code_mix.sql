-- name: auth_code_mix
--
-- What it answers: which authorisation codes did each minute's transactions get? One row per
-- minute with auth-code data: the total, code 00 (approved) and its share, the other codes
-- together, how many distinct codes appeared, and the most frequent code other than 00.
--
-- Ties for the top other code are broken by the code itself (ascending), so both dialects pick
-- the same one.
--
-- Parameters:
--   :from   time  default=-24h    first minute of the range (inclusive)
--   :to     time  default=latest  end of the range (exclusive)
--   :scope  text  default=all     scope of the series
WITH ranked AS (
  -- One pass: per-minute totals as window aggregates, and the codes ranked so that position 1
  -- is the most frequent code other than 00 (00 and zero counts sort last).
  SELECT
    minute,
    auth_code,
    count,
    SUM(count) OVER per_minute                                             AS total,
    SUM(CASE WHEN auth_code = '00' THEN count ELSE 0 END) OVER per_minute  AS code_00,
    COUNT(*) OVER per_minute                                               AS distinct_codes,
    ROW_NUMBER() OVER (PARTITION BY minute
                       ORDER BY CASE WHEN auth_code = '00' OR count = 0 THEN 1 ELSE 0 END, count DESC, auth_code) AS position
  FROM auth_code_counts
  WHERE scope = :scope
    AND minute >= :from
    AND minute < :to
  WINDOW per_minute AS (PARTITION BY minute)
)
SELECT
  minute,
  CAST(total AS BIGINT)                                                AS total,
  CAST(code_00 AS BIGINT)                                              AS code_00,
  CAST(code_00 AS DOUBLE PRECISION) / NULLIF(total, 0)                 AS share_00,
  CAST(total - code_00 AS BIGINT)                                      AS other_codes,
  CAST(total - code_00 AS DOUBLE PRECISION) / NULLIF(total, 0)         AS other_share,
  distinct_codes,
  CASE WHEN auth_code <> '00' AND count > 0 THEN auth_code END         AS top_other_code,
  CASE WHEN auth_code <> '00' AND count > 0 THEN count END             AS top_other_count
FROM ranked
WHERE position = 1
ORDER BY minute;
