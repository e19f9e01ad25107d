-- name: anomalous_runs
--
-- What it answers: when was a scope anomalous for several minutes in a row, and how badly?
-- One row per run (island) of consecutive evaluated minutes at or above :min_severity.
--
-- Gaps and islands: among the qualifying minutes of a scope, minute - ROW_NUMBER() is constant
-- within a run of consecutive minutes and changes at every gap, so it labels the islands.
--
-- Parameters:
--   :from          time     default=-7d                                   first minute of the range (inclusive)
--   :to            time     default=latest                                end of the range (exclusive)
--   :scope         text     default=*                                     scope; * = every scope
--   :min_severity  enum     default=warning values=info|warning|critical  lowest severity that counts as anomalous
--   :min_length    integer  default=2 range=1..10080                      shortest run to report, in minutes
--
-- Columns: start_minute (first anomalous minute), end_minute (exclusive: one past the last),
-- minutes, worst severity, highest and mean anomaly score.
WITH ranked AS (
  SELECT
    scope,
    minute,
    anomaly_score,
    CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 WHEN 'info' THEN 1 ELSE 0 END AS severity_rank
  FROM assessments
  WHERE (:scope = '*' OR scope = :scope)
    AND minute >= :from
    AND minute < :to
),
anomalous AS (
  SELECT
    scope,
    minute,
    anomaly_score,
    severity_rank,
    minute - ROW_NUMBER() OVER (PARTITION BY scope ORDER BY minute) AS island
  FROM ranked
  WHERE severity_rank >= CASE :min_severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
)
SELECT
  scope,
  MIN(minute)        AS start_minute,
  MAX(minute) + 1    AS end_minute,
  COUNT(*)           AS minutes,
  CASE MAX(severity_rank) WHEN 3 THEN 'critical' WHEN 2 THEN 'warning' ELSE 'info' END AS worst_severity,
  MAX(anomaly_score) AS max_score,
  AVG(anomaly_score) AS avg_score
FROM anomalous
GROUP BY scope, island
HAVING COUNT(*) >= :min_length
ORDER BY start_minute, scope;
