-- txmon schema v5 (SQLite): in-order delivery per alert group, and pruning of finished rows.
--
-- group_key: the notification's group key (payload.groupKey), derived by the database so every
-- writer of outbox rows gets it without knowing about it. The delivery worker claims a row only
-- when no older row of the same receiver and group is still pending, so a group's "resolved"
-- can never overtake its "firing" while the receiver is down. NULL (a payload without a group
-- key) never blocks and is never blocked. Only VIRTUAL generated columns can be added in SQLite;
-- the index below stores the computed values.
ALTER TABLE outbox ADD COLUMN group_key TEXT GENERATED ALWAYS AS (json_extract(payload, '$.groupKey')) VIRTUAL;

-- "Is an older row of this receiver and group still pending?": pending rows only, so it stays
-- small however many delivered rows the table keeps.
CREATE INDEX outbox_pending_group ON outbox (receiver, group_key, created_at, id) WHERE state = 'pending';

-- Pruning finds delivered rows by delivery time (failed rows by next_attempt_at, set when they
-- were given up: outbox_due covers them).
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
