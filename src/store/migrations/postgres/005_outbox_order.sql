-- txmon schema v5 (PostgreSQL): in-order delivery per alert group, and pruning of finished rows.
-- See the SQLite twin for the meaning of each column and index. The generated column is STORED
-- (PostgreSQL 15 has no virtual ones); existing rows get it computed by this ALTER.
ALTER TABLE outbox ADD COLUMN group_key TEXT GENERATED ALWAYS AS (payload::jsonb ->> 'groupKey') STORED;
CREATE INDEX outbox_pending_group ON outbox (receiver, group_key, created_at, id) WHERE state = 'pending';
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
