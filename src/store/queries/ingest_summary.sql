-- name: ingest_summary
--
-- What it answers: per scope, how much data came in over a period and what did detection make
-- of it? One row per scope that has counts, assessments or alerts in the period.
--
-- Ingest: minutes with data, first / last minute, transactions, distinct statuses, raw
-- transactions stored. Detection: minutes evaluated, minutes with no data, anomalous minutes
-- (severity other than none), critical minutes, highest anomaly score. Alerts: alerts active in
-- the period and how many are still open.
--
-- Parameters:
--   :from   time  default=-24h    start of the period (inclusive)
--   :to     time  default=latest  end of the period (exclusive)
--   :scope  text  default=*       scope; * = every scope
WITH ingest AS (
  SELECT
    scope,
    COUNT(DISTINCT minute)     AS minutes_with_data,
    MIN(minute)                AS first_minute,
    MAX(minute)                AS last_minute,
    CAST(SUM(count) AS BIGINT) AS transactions,
    COUNT(DISTINCT status)     AS statuses
  FROM minute_counts
  WHERE (:scope = '*' OR scope = :scope)
    AND minute >= :from
    AND minute < :to
  GROUP BY scope
),
raw AS (
  SELECT scope, COUNT(*) AS raw_transactions
  FROM raw_transactions
  WHERE (:scope = '*' OR scope = :scope)
    AND minute >= :from
    AND minute < :to
  GROUP BY scope
),
detection AS (
  SELECT
    scope,
    COUNT(*)                                                   AS evaluated_minutes,
    SUM(CASE WHEN has_data = 0 THEN 1 ELSE 0 END)              AS no_data_minutes,
    SUM(CASE WHEN severity <> 'none' THEN 1 ELSE 0 END)        AS anomalous_minutes,
    SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END)     AS critical_minutes,
    MAX(anomaly_score)                                         AS max_score
  FROM assessments
  WHERE (:scope = '*' OR scope = :scope)
    AND minute >= :from
    AND minute < :to
  GROUP BY scope
),
alerting AS (
  SELECT
    scope,
    COUNT(*)                                                        AS alerts,
    SUM(CASE WHEN state IN ('pending', 'firing') THEN 1 ELSE 0 END) AS open_alerts
  FROM alerts
  WHERE scope IS NOT NULL
    AND (:scope = '*' OR scope = :scope)
    AND starts_at < :to * 60000
    AND (ends_at IS NULL OR ends_at >= :from * 60000)
  GROUP BY scope
),
scopes AS (
  SELECT scope FROM ingest
  UNION SELECT scope FROM detection
  UNION SELECT scope FROM alerting
)
SELECT
  s.scope,
  COALESCE(i.minutes_with_data, 0) AS minutes_with_data,
  i.first_minute,
  i.last_minute,
  COALESCE(i.transactions, 0)      AS transactions,
  COALESCE(i.statuses, 0)          AS statuses,
  COALESCE(r.raw_transactions, 0)  AS raw_transactions,
  COALESCE(d.evaluated_minutes, 0) AS evaluated_minutes,
  COALESCE(d.no_data_minutes, 0)   AS no_data_minutes,
  COALESCE(d.anomalous_minutes, 0) AS anomalous_minutes,
  COALESCE(d.critical_minutes, 0)  AS critical_minutes,
  d.max_score,
  COALESCE(a.alerts, 0)            AS alerts,
  COALESCE(a.open_alerts, 0)       AS open_alerts
FROM scopes s
LEFT JOIN ingest i    ON i.scope = s.scope
LEFT JOIN raw r       ON r.scope = s.scope
LEFT JOIN detection d ON d.scope = s.scope
LEFT JOIN alerting a  ON a.scope = s.scope
ORDER BY s.scope;
