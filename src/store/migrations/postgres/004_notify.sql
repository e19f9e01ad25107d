-- txmon schema v4 (PostgreSQL): silences, and what the delivery worker needs on the outbox.
-- See the SQLite twin for the meaning of each column.
CREATE TABLE silences (
  id         TEXT   PRIMARY KEY,
  matchers   TEXT   NOT NULL,
  starts_at  BIGINT NOT NULL,
  ends_at    BIGINT NOT NULL,
  created_by TEXT   NOT NULL,
  comment    TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_at);

ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN first_attempt_at BIGINT;
CREATE INDEX outbox_by_created ON outbox (created_at);
