-- txmon schema v6: retention (issue #13 item 11). Pruning deletes rows older than a cut-off in
-- batches; these indexes let each batch find its oldest rows without scanning the table.
CREATE INDEX auth_code_counts_by_minute ON auth_code_counts (minute);
CREATE INDEX raw_transactions_by_minute ON raw_transactions (minute);
CREATE INDEX alerts_resolved_by_end ON alerts (ends_at) WHERE state = 'resolved';
