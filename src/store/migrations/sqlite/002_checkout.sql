-- txmon schema v2 (SQLite): hourly POS checkout files, one `source` per POS / loaded file.
-- Read by the named query checkout_hourly (src/store/queries/checkout_hourly.sql).
CREATE TABLE checkout_hours (
  source             TEXT    NOT NULL,
  hour               INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
  today              REAL    NOT NULL,
  yesterday          REAL    NOT NULL,
  same_day_last_week REAL    NOT NULL,
  avg_last_week      REAL    NOT NULL,
  avg_last_month     REAL    NOT NULL,
  PRIMARY KEY (source, hour)
);
