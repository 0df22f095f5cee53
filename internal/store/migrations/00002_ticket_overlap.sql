-- A renewed JS-SDK ticket leaves its predecessor valid for five minutes, as
-- access tokens do, so pages signed just before the renewal still verify.

-- +goose Up
ALTER TABLE jsapi_tickets ADD COLUMN previous_ticket TEXT NOT NULL DEFAULT '';
ALTER TABLE jsapi_tickets ADD COLUMN previous_expires_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE jsapi_tickets DROP COLUMN previous_expires_at;
ALTER TABLE jsapi_tickets DROP COLUMN previous_ticket;
