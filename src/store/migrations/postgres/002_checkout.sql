-- txmon schema v2 (PostgreSQL): hourly POS checkout files, one `source` per POS / loaded file.
-- Read by the named query checkout_hourly (src/store/queries/checkout_hourly.sql).
-- DOUBLE PRECISION, not REAL: PostgreSQL's REAL is a 4-byte float, SQLite's REAL an 8-byte one.
CREATE TABLE checkout_hours (
  source             TEXT             NOT NULL,
  hour               INTEGER          NOT NULL CHECK (hour BETWEEN 0 AND 23),
  today              DOUBLE PRECISION NOT NULL,
  yesterday          DOUBLE PRECISION NOT NULL,
  same_day_last_week DOUBLE PRECISION NOT NULL,
  avg_last_week      DOUBLE PRECISION NOT NULL,
  avg_last_month     DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (source, hour)
);
