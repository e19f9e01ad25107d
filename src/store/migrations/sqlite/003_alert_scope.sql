-- txmon schema v3 (SQLite): the scope label of an alert as a column, so named queries can filter
-- and group alerts by scope with plain SQL that PostgreSQL runs too (json_extract is SQLite-only).
-- Generated from `labels`, so writers need not know about it.
ALTER TABLE alerts ADD COLUMN scope TEXT GENERATED ALWAYS AS (json_extract(labels, '$.scope')) VIRTUAL;
CREATE INDEX alerts_by_scope ON alerts (scope);
CREATE INDEX assessments_by_minute ON assessments (minute);
