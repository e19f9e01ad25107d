-- name: alert_summary
--
-- What it answers: how many alerts of each severity were in each state during a period, and
-- how long and how strong were they? One row per (severity, state).
--
-- An alert counts when it was active at any time in [:from, :to): it started before :to and
-- had not ended before :from. alert_minutes adds up each alert's duration (start to end, or to
-- the end of its last evaluated minute while still open), in whole minutes.
--
-- Parameters:
--   :from   time  default=-7d     start of the period (inclusive)
--   :to     time  default=latest  end of the period (exclusive)
--   :scope  text  default=*       scope label of the alerts; * = every scope
--
-- Columns first_started_at / last_started_at are epoch milliseconds (shown as ISO-8601).
-- Ordered from critical to info, then firing, pending, resolved.
SELECT
  severity,
  state,
  COUNT(*)                AS alerts,
  COUNT(DISTINCT rule)    AS rules,
  COUNT(DISTINCT scope)   AS scopes,
  MAX(score)              AS max_score,
  AVG(score)              AS avg_score,
  MIN(starts_at)          AS first_started_at,
  MAX(starts_at)          AS last_started_at,
  SUM((COALESCE(ends_at, (last_minute + 1) * 60000) - starts_at) / 60000) AS alert_minutes
FROM alerts
WHERE (:scope = '*' OR scope = :scope)
  AND starts_at < :to * 60000
  AND (ends_at IS NULL OR ends_at >= :from * 60000)
GROUP BY severity, state
ORDER BY
  CASE severity WHEN 'critical' THEN 1 WHEN 'warning' THEN 2 WHEN 'info' THEN 3 ELSE 4 END,
  CASE state WHEN 'firing' THEN 1 WHEN 'pending' THEN 2 WHEN 'resolved' THEN 3 ELSE 4 END;
