-- txmon schema v1 (SQLite). Times: minutes are UTC epoch minutes, *_at columns epoch milliseconds.
CREATE TABLE minute_counts (
  scope      TEXT    NOT NULL,
  minute     INTEGER NOT NULL,
  status     TEXT    NOT NULL,
  count      INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, minute, status)
) WITHOUT ROWID;
CREATE INDEX minute_counts_by_minute ON minute_counts (minute);

CREATE TABLE auth_code_counts (
  scope      TEXT    NOT NULL,
  minute     INTEGER NOT NULL,
  auth_code  TEXT    NOT NULL,
  count      INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, minute, auth_code)
) WITHOUT ROWID;

CREATE TABLE raw_transactions (
  id        TEXT    PRIMARY KEY,
  scope     TEXT    NOT NULL,
  minute    INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  status    TEXT    NOT NULL,
  auth_code TEXT,
  amount    REAL
);

CREATE TABLE assessments (
  scope         TEXT    NOT NULL,
  minute        INTEGER NOT NULL,
  anomaly_score REAL    NOT NULL,
  severity      TEXT    NOT NULL,
  has_data      INTEGER NOT NULL,
  total         INTEGER NOT NULL,
  metrics       TEXT    NOT NULL,
  findings      TEXT    NOT NULL,
  explanation   TEXT    NOT NULL,
  PRIMARY KEY (scope, minute)
);

CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT    NOT NULL,
  rule        TEXT    NOT NULL,
  labels      TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  severity    TEXT    NOT NULL,
  score       REAL    NOT NULL,
  observed    REAL    NOT NULL,
  expected    REAL,
  summary     TEXT    NOT NULL,
  explanation TEXT    NOT NULL,
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER,
  updated_at  INTEGER NOT NULL,
  last_minute INTEGER NOT NULL
);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);
CREATE INDEX alerts_by_start ON alerts (starts_at);

CREATE TABLE alert_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id   INTEGER NOT NULL REFERENCES alerts (id),
  at         INTEGER NOT NULL,
  from_state TEXT,
  to_state   TEXT    NOT NULL,
  severity   TEXT    NOT NULL,
  score      REAL    NOT NULL,
  note       TEXT    NOT NULL
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id);

CREATE TABLE outbox (
  id              TEXT    PRIMARY KEY,
  receiver        TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  state           TEXT    NOT NULL DEFAULT 'pending',
  last_error      TEXT,
  delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
