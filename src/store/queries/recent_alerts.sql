-- name: recent_alerts
--
-- What it answers: which alerts started most recently? Newest first, at most :limit rows.
--
-- duration_minutes runs from the start to the end, or to the end of the last evaluated minute
-- while the alert is still open (whole minutes: integer division in both dialects).
--
-- Parameters:
--   :scope  text     default=*                                            scope label; * = every scope
--   :state  enum     default=any values=any|open|pending|firing|resolved  open = pending or firing
--   :limit  integer  default=20 range=1..1000                             most rows to return
--
-- Columns started_at / ended_at are epoch milliseconds (shown as ISO-8601); ended_at is NULL
-- while the alert is open.
SELECT
  id,
  rule,
  scope,
  state,
  severity,
  score,
  observed,
  expected,
  starts_at AS started_at,
  ends_at   AS ended_at,
  (COALESCE(ends_at, (last_minute + 1) * 60000) - starts_at) / 60000 AS duration_minutes,
  summary
FROM alerts
WHERE (:scope = '*' OR scope = :scope)
  AND (:state = 'any'
       OR state = :state
       OR (:state = 'open' AND state IN ('pending', 'firing')))
ORDER BY starts_at DESC, id DESC
LIMIT :limit;
