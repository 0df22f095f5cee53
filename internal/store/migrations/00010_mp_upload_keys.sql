-- Mini program upload keys (internal/miniprogram/upload): WeChat's
-- 代码上传密钥. One Ed25519 key per mini program; the server keeps only the
-- public key (base64), the operator holds the private key in a key file.
-- ip_whitelist is comma-separated addresses or CIDR ranges (empty: any).
-- Keys that were rotated or revoked stay in mp_upload_keys_retired so a CI
-- job still using one is told why it is refused.

-- +goose Up
CREATE TABLE mp_upload_keys (
    appid        TEXT PRIMARY KEY REFERENCES apps(appid),
    key_id       TEXT NOT NULL UNIQUE,
    public_key   TEXT NOT NULL,
    ip_whitelist TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mp_upload_keys_retired (
    key_id     TEXT PRIMARY KEY,
    appid      TEXT NOT NULL REFERENCES apps(appid),
    reason     TEXT NOT NULL CHECK (reason IN ('rotated', 'revoked')),
    retired_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE mp_upload_keys_retired;
DROP TABLE mp_upload_keys;
