-- name: window_vs_baseline
--
-- What it answers: how do the last :window minutes compare with the :baseline minutes before
-- them, status by status? One row per status seen in either period.
--
-- Rates (current_rate, baseline_rate) are transactions per minute of the period (absent
-- minutes count as zero); shares are of the period's total. share_change is the current share
-- minus the baseline share (0.05 = 5 points); rate_ratio is current / baseline rate (NULL when
-- the baseline rate is 0).
--
-- Parameters:
--   :to        time     default=latest               end of the current window (exclusive)
--   :window    integer  default=15 range=1..1440     length of the current window in minutes
--   :baseline  integer  default=1440 range=1..44640  length of the baseline, just before the window, in minutes
--   :scope     text     default=all                  scope of the series
WITH current_period AS (
  SELECT status, CAST(SUM(count) AS BIGINT) AS n
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :to - :window
    AND minute < :to
  GROUP BY status
),
baseline_period AS (
  SELECT status, CAST(SUM(count) AS BIGINT) AS n
  FROM minute_counts
  WHERE scope = :scope
    AND minute >= :to - :window - :baseline
    AND minute < :to - :window
  GROUP BY status
),
totals AS (
  SELECT
    (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM current_period)  AS current_total,
    (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM baseline_period) AS baseline_total
),
statuses AS (
  SELECT status FROM current_period
  UNION
  SELECT status FROM baseline_period
),
compared AS (
  SELECT
    s.status,
    COALESCE(c.n, 0) AS current_count,
    COALESCE(b.n, 0) AS baseline_count,
    CAST(COALESCE(c.n, 0) AS DOUBLE PRECISION) / :window                      AS current_rate,
    CAST(COALESCE(b.n, 0) AS DOUBLE PRECISION) / :baseline                    AS baseline_rate,
    CAST(COALESCE(c.n, 0) AS DOUBLE PRECISION) / NULLIF(t.current_total, 0)   AS current_share,
    CAST(COALESCE(b.n, 0) AS DOUBLE PRECISION) / NULLIF(t.baseline_total, 0)  AS baseline_share
  FROM statuses s
  CROSS JOIN totals t
  LEFT JOIN current_period c ON c.status = s.status
  LEFT JOIN baseline_period b ON b.status = s.status
)
SELECT
  status,
  current_count,
  baseline_count,
  current_rate,
  baseline_rate,
  current_rate / NULLIF(baseline_rate, 0) AS rate_ratio,
  current_share,
  baseline_share,
  current_share - baseline_share                      AS share_change
FROM compared
ORDER BY current_count DESC, status;
