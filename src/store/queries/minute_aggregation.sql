-- name: minute_aggregation
--
-- What it answers: what happened, minute by minute? One row per minute of a scope with the
-- total and a column per status (approved, denied, failed, reversed, backend_reversed,
-- refunded, processing; statuses outside that set are summed in `other`).
--
-- Only minutes that received data appear; a status absent in such a minute shows 0.
--
-- Parameters:
--   :from   time  default=-24h    first minute of the range (inclusive); ISO-8601 or epoch seconds
--   :to     time  default=latest  end of the range (exclusive); latest = one minute after the newest data
--   :scope  text  default=all     scope of the series (POS, merchant, acquirer; "all" = everything)
--
-- Columns: minute (epoch minute, shown as ISO-8601), total, one count per status, other.
SELECT
  minute,
  SUM(count)                                                          AS total,
  SUM(CASE WHEN status = 'approved'         THEN count ELSE 0 END) AS approved,
  SUM(CASE WHEN status = 'denied'           THEN count ELSE 0 END) AS denied,
  SUM(CASE WHEN status = 'failed'           THEN count ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'reversed'         THEN count ELSE 0 END) AS reversed,
  SUM(CASE WHEN status = 'backend_reversed' THEN count ELSE 0 END) AS backend_reversed,
  SUM(CASE WHEN status = 'refunded'         THEN count ELSE 0 END) AS refunded,
  SUM(CASE WHEN status = 'processing'       THEN count ELSE 0 END) AS processing,
  SUM(CASE WHEN status NOT IN ('approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing')
           THEN count ELSE 0 END)                                    AS other
FROM minute_counts
WHERE scope = :scope
  AND minute >= :from
  AND minute < :to
GROUP BY minute
ORDER BY minute;
