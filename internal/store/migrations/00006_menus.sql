-- The newest menu id each official account has used. Menu ids only grow,
-- even across deleted menus: conditional menus are matched newest first by
-- id, and a VIEW event's MenuId must never come to name a later menu.

-- +goose Up
CREATE TABLE oa_menu_ids (
    appid   TEXT PRIMARY KEY REFERENCES apps(appid),
    last_id BIGINT NOT NULL
);

-- +goose Down
DROP TABLE oa_menu_ids;
