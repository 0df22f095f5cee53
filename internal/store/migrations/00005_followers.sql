-- Follower tags and parametric QR codes: what 00003 lacked.

-- +goose Up

-- The last tag id each account handed out. Tag ids are never reused, so a
-- conditional menu or a mass send that names a deleted tag cannot reach the
-- members of a tag created later.
CREATE TABLE oa_tag_sequences (
    appid   TEXT PRIMARY KEY REFERENCES apps(appid),
    last_id BIGINT NOT NULL
);

-- One permanent code per scene: creating it again returns the existing code,
-- and the lookup does not scan the account's (up to 100,000) codes.
CREATE UNIQUE INDEX oa_qrcodes_permanent_scene ON oa_qrcodes(appid, scene_id, scene_str) WHERE permanent = 1;

-- The URL a code's image encodes, fixed when the code is made: the image
-- always says what qrcode/create answered, whichever host serves it.
ALTER TABLE oa_qrcodes ADD COLUMN url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE oa_qrcodes DROP COLUMN url;
DROP INDEX oa_qrcodes_permanent_scene;
DROP TABLE oa_tag_sequences;
