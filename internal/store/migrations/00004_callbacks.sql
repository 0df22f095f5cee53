-- The callback outbox's indexes cover only the rows the dispatcher looks
-- for: pushes waiting to be sent (by due time) and pushes in delivery (by
-- lease, to take over from a server that died). Delivered and failed
-- pushes, most of the table, are in neither, so settling a push does not
-- touch an index and the indexes stay small however much history is kept.

-- +goose Up
DROP INDEX oa_callbacks_due;
CREATE INDEX oa_callbacks_pending ON oa_callbacks(next_at) WHERE state = 'pending';
CREATE INDEX oa_callbacks_leased ON oa_callbacks(lease_until) WHERE state = 'delivering';

-- +goose Down
DROP INDEX oa_callbacks_leased;
DROP INDEX oa_callbacks_pending;
CREATE INDEX oa_callbacks_due ON oa_callbacks(state, next_at);
