-- The foundation schema. Portable across SQLite and PostgreSQL: TEXT ids,
-- BIGINT unix-second timestamps, no backend-specific types.

-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE subjects (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    certified  INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE open_platforms (
    id         TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects(id),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE apps (
    appid            TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    original_id      TEXT NOT NULL UNIQUE,
    subject_id       TEXT NOT NULL REFERENCES subjects(id),
    secret_hash      TEXT NOT NULL,
    open_platform_id TEXT REFERENCES open_platforms(id),
    bound_at         BIGINT,
    ip_whitelist     TEXT NOT NULL DEFAULT '',
    oauth_domains    TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    secret_reset_at  BIGINT NOT NULL
);
CREATE INDEX apps_open_platform ON apps(open_platform_id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT UNIQUE,
    password_hash TEXT NOT NULL DEFAULT '',
    avatar_url    TEXT NOT NULL DEFAULT '',
    gender        INTEGER NOT NULL DEFAULT 0,
    country       TEXT NOT NULL DEFAULT '',
    province      TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT 'zh_CN',
    test_user     INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_name ON users(name);

-- One row per (app, user) the app has ever seen: maps an OpenID back to the user.
CREATE TABLE app_users (
    appid      TEXT NOT NULL REFERENCES apps(appid),
    user_id    TEXT NOT NULL REFERENCES users(id),
    openid     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (appid, user_id)
);
CREATE UNIQUE INDEX app_users_openid ON app_users(appid, openid);

CREATE TABLE shell_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Access tokens are stored by hash. Stable tokens keep their value too,
-- because stable_token in normal mode must return the live token again.
CREATE TABLE access_tokens (
    token_hash    TEXT PRIMARY KEY,
    appid         TEXT NOT NULL REFERENCES apps(appid),
    kind          TEXT NOT NULL,
    token         TEXT,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    superseded_at BIGINT
);
CREATE INDEX access_tokens_live ON access_tokens(appid, kind, issued_at);

CREATE TABLE stable_token_refreshes (
    appid      TEXT NOT NULL REFERENCES apps(appid),
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (appid, day)
);

CREATE TABLE api_quota_usage (
    appid    TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    day      TEXT NOT NULL,
    used     BIGINT NOT NULL,
    PRIMARY KEY (appid, endpoint, day)
);

CREATE TABLE api_quota_resets (
    appid TEXT NOT NULL,
    month TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (appid, month)
);

-- wx.login codes. Minted with the OpenID and the session key that becomes
-- current when the code is exchanged.
CREATE TABLE login_codes (
    code_hash   TEXT PRIMARY KEY,
    appid       TEXT NOT NULL REFERENCES apps(appid),
    user_id     TEXT NOT NULL REFERENCES users(id),
    openid      TEXT NOT NULL,
    session_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE mp_sessions (
    appid       TEXT NOT NULL REFERENCES apps(appid),
    openid      TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    session_key TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (appid, openid)
);

-- getPhoneNumber codes (button open-type="getPhoneNumber").
CREATE TABLE phone_codes (
    code_hash  TEXT PRIMARY KEY,
    appid      TEXT NOT NULL REFERENCES apps(appid),
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE oauth_codes (
    code_hash  TEXT PRIMARY KEY,
    appid      TEXT NOT NULL REFERENCES apps(appid),
    user_id    TEXT NOT NULL REFERENCES users(id),
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    appid      TEXT NOT NULL REFERENCES apps(appid),
    user_id    TEXT NOT NULL REFERENCES users(id),
    openid     TEXT NOT NULL,
    scope      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE jsapi_tickets (
    appid      TEXT NOT NULL REFERENCES apps(appid),
    type       TEXT NOT NULL,
    ticket     TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (appid, type)
);

-- +goose Down
DROP TABLE jsapi_tickets;
DROP TABLE oauth_tokens;
DROP TABLE oauth_codes;
DROP TABLE phone_codes;
DROP TABLE mp_sessions;
DROP TABLE login_codes;
DROP TABLE api_quota_resets;
DROP TABLE api_quota_usage;
DROP TABLE stable_token_refreshes;
DROP TABLE access_tokens;
DROP TABLE shell_sessions;
DROP TABLE app_users;
DROP TABLE users;
DROP TABLE apps;
DROP TABLE open_platforms;
DROP TABLE subjects;
DROP TABLE settings;
