-- txmon schema v4 (SQLite): silences, and what the delivery worker needs on the outbox.
-- A silence mutes notifications of the alerts its matchers select while starts_at <= now < ends_at;
-- expiring one sets ends_at = now, so its history stays visible.
CREATE TABLE silences (
  id         TEXT    PRIMARY KEY,
  matchers   TEXT    NOT NULL,
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  created_by TEXT    NOT NULL,
  comment    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_at);

-- claim_token: the worker that leased the row (a lease = next_attempt_at pushed into the future),
-- so a worker whose lease expired cannot overwrite another's result.
-- first_attempt_at: when delivery was first tried (give-up time is measured from it).
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;
CREATE INDEX outbox_by_created ON outbox (created_at);
