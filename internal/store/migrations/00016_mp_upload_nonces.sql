-- Nonces of the CI upload API (internal/miniprogram/upload, nonces.go): a
-- signed request is accepted once, whichever server of a deployment it
-- reaches. A row may go once expires_at (ms) has passed: by then the
-- request's timestamp is outside the allowed clock skew anyway.

-- +goose Up
CREATE TABLE mp_upload_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, nonce)
){{without_rowid}};

CREATE INDEX mp_upload_nonces_expiry ON mp_upload_nonces(expires_at);

-- +goose Down
DROP TABLE mp_upload_nonces;
