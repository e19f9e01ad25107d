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
WITH codes AS (
  SELECT minute, auth_code, count
  FROM auth_code_counts
  WHERE scope = :scope
    AND minute >= :from
    AND minute < :to
),
per_minute AS (
  SELECT
    minute,
    CAST(SUM(count) AS BIGINT)                                             AS total,
    CAST(SUM(CASE WHEN auth_code = '00' THEN count ELSE 0 END) AS BIGINT)  AS code_00,
    COUNT(*)                                                               AS distinct_codes
  FROM codes
  GROUP BY minute
),
top_other AS (
  SELECT
    minute, auth_code, count,
    ROW_NUMBER() OVER (PARTITION BY minute ORDER BY count DESC, auth_code) AS position
  FROM codes
  WHERE auth_code <> '00'
    AND count > 0
)
SELECT
  p.minute,
  p.total,
  p.code_00,
  CAST(p.code_00 AS DOUBLE PRECISION) / NULLIF(p.total, 0)             AS share_00,
  p.total - p.code_00                                                   AS other_codes,
  CAST(p.total - p.code_00 AS DOUBLE PRECISION) / NULLIF(p.total, 0)   AS other_share,
  p.distinct_codes,
  t.auth_code                                                           AS top_other_code,
  t.count                                                               AS top_other_count
FROM per_minute p
LEFT JOIN top_other t ON t.minute = p.minute AND t.position = 1
ORDER BY p.minute;
