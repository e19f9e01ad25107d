-- txmon schema v1 (PostgreSQL). Times: minutes are UTC epoch minutes, *_at columns epoch milliseconds.
CREATE TABLE minute_counts (
  scope      TEXT    NOT NULL,
  minute     BIGINT  NOT NULL,
  status     TEXT    NOT NULL,
  count      BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL,
  PRIMARY KEY (scope, minute, status)
);
CREATE INDEX minute_counts_by_minute ON minute_counts (minute);

CREATE TABLE auth_code_counts (
  scope      TEXT    NOT NULL,
  minute     BIGINT  NOT NULL,
  auth_code  TEXT    NOT NULL,
  count      BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL,
  PRIMARY KEY (scope, minute, auth_code)
);

CREATE TABLE raw_transactions (
  id        TEXT    PRIMARY KEY,
  scope     TEXT    NOT NULL,
  minute    BIGINT  NOT NULL,
  at        BIGINT  NOT NULL,
  status    TEXT    NOT NULL,
  auth_code TEXT,
  amount    DOUBLE PRECISION
);

CREATE TABLE assessments (
  scope         TEXT    NOT NULL,
  minute        BIGINT  NOT NULL,
  anomaly_score DOUBLE PRECISION    NOT NULL,
  severity      TEXT    NOT NULL,
  has_data      BIGINT  NOT NULL,
  total         BIGINT  NOT NULL,
  metrics       TEXT    NOT NULL,
  findings      TEXT    NOT NULL,
  explanation   TEXT    NOT NULL,
  PRIMARY KEY (scope, minute)
);

CREATE TABLE alerts (
  id          BIGSERIAL PRIMARY KEY,
  fingerprint TEXT    NOT NULL,
  rule        TEXT    NOT NULL,
  labels      TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  severity    TEXT    NOT NULL,
  score       DOUBLE PRECISION    NOT NULL,
  observed    DOUBLE PRECISION    NOT NULL,
  expected    DOUBLE PRECISION,
  summary     TEXT    NOT NULL,
  explanation TEXT    NOT NULL,
  starts_at   BIGINT  NOT NULL,
  ends_at     BIGINT,
  updated_at  BIGINT  NOT NULL,
  last_minute BIGINT  NOT NULL
);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);
CREATE INDEX alerts_by_start ON alerts (starts_at);

CREATE TABLE alert_history (
  id         BIGSERIAL PRIMARY KEY,
  alert_id   BIGINT  NOT NULL REFERENCES alerts (id),
  at         BIGINT  NOT NULL,
  from_state TEXT,
  to_state   TEXT    NOT NULL,
  severity   TEXT    NOT NULL,
  score      DOUBLE PRECISION    NOT NULL,
  note       TEXT    NOT NULL
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id);

CREATE TABLE outbox (
  id              TEXT    PRIMARY KEY,
  receiver        TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  created_at      BIGINT  NOT NULL,
  next_attempt_at BIGINT  NOT NULL,
  attempts        BIGINT  NOT NULL DEFAULT 0,
  state           TEXT    NOT NULL DEFAULT 'pending',
  last_error      TEXT,
  delivered_at    BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
