-- Official accounts: the follow relation, conversations, developer-server
-- callbacks, menus, auto-replies, QR codes, templates, mass sends and media.
-- {{autoid}}, {{blob}} and {{without_rowid}} are spelled per backend by
-- store.migrationFiles.

-- +goose Up

-- One row per (account, user) that ever followed. Unfollowing keeps the row
-- (subscribed = 0) so a re-follow keeps remarks and the OpenID order.
CREATE TABLE oa_followers (
    appid              TEXT NOT NULL REFERENCES apps(appid),
    user_id            TEXT NOT NULL REFERENCES users(id),
    openid             TEXT NOT NULL,
    subscribed         INTEGER NOT NULL,
    subscribe_time     BIGINT NOT NULL,
    unsubscribe_time   BIGINT NOT NULL DEFAULT 0,
    subscribe_scene    TEXT NOT NULL DEFAULT 'ADD_SCENE_OTHERS',
    qr_scene           BIGINT NOT NULL DEFAULT 0,
    qr_scene_str       TEXT NOT NULL DEFAULT '',
    remark             TEXT NOT NULL DEFAULT '',
    blacklisted        INTEGER NOT NULL DEFAULT 0,
    -- The customer-service window: opened by the user's latest interaction
    -- ('message' or 'event'), with the number of messages sent into it.
    window_kind        TEXT NOT NULL DEFAULT '',
    window_opened_at   BIGINT NOT NULL DEFAULT 0,
    window_sent        INTEGER NOT NULL DEFAULT 0,
    -- CreateTime of the latest event pushed for this user: events are
    -- deduplicated by FromUserName+CreateTime, so each gets a distinct second.
    last_event_time    BIGINT NOT NULL DEFAULT 0,
    -- The newest message id the user has read in this conversation.
    last_read_id       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (appid, user_id)
);
CREATE UNIQUE INDEX oa_followers_openid ON oa_followers(appid, openid);
CREATE INDEX oa_followers_user ON oa_followers(user_id);

CREATE TABLE oa_tags (
    appid      TEXT NOT NULL REFERENCES apps(appid),
    id         BIGINT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (appid, id)
);
CREATE UNIQUE INDEX oa_tags_name ON oa_tags(appid, name);

CREATE TABLE oa_follower_tags (
    appid   TEXT NOT NULL,
    tag_id  BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (appid, tag_id, user_id)
);
CREATE INDEX oa_follower_tags_user ON oa_follower_tags(appid, user_id);

-- Message contents, once each: a mass message is one row however many
-- followers receive it. direction: 'in' (user to account), 'out' (account
-- to user), 'notice' (the platform speaking, e.g. an unreachable server).
CREATE TABLE oa_messages (
    id         {{autoid}},
    appid      TEXT NOT NULL REFERENCES apps(appid),
    direction  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Each user's copy of a message: the conversation between a user and an
-- account is its rows in message order. The key makes a copy unique, so a
-- fan-out redone after a crash cannot deliver twice.
CREATE TABLE oa_inbox (
    user_id    TEXT NOT NULL,
    appid      TEXT NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, appid, message_id)
){{without_rowid}};

-- The developer server of an account.
CREATE TABLE oa_callback_configs (
    appid           TEXT PRIMARY KEY REFERENCES apps(appid),
    url             TEXT NOT NULL,
    token           TEXT NOT NULL,
    aes_key         TEXT NOT NULL DEFAULT '',
    previous_aes_key TEXT NOT NULL DEFAULT '',
    mode            TEXT NOT NULL,
    verified_at     BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);

-- The callback outbox: every push to a developer server is a row here,
-- written in the same transaction as what caused it and retried until
-- delivered or out of attempts. payload is the plain XML, built once, so
-- every attempt carries the same MsgId/CreateTime (the dedup key).
CREATE TABLE oa_callbacks (
    id          {{autoid}},
    appid       TEXT NOT NULL,
    user_id     TEXT NOT NULL DEFAULT '',
    dedup_key   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    -- The inbound message this push carries (0 for events): replies follow it.
    message_id  BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX oa_callbacks_due ON oa_callbacks(state, next_at);

-- Menus: the default menu (conditional = 0) and conditional menus.
CREATE TABLE oa_menus (
    appid       TEXT NOT NULL REFERENCES apps(appid),
    menu_id     BIGINT NOT NULL,
    conditional INTEGER NOT NULL,
    matchrule   TEXT NOT NULL DEFAULT '',
    buttons     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (appid, menu_id)
);

-- Auto-reply rules of an account, as one JSON document.
CREATE TABLE oa_autoreplies (
    appid      TEXT PRIMARY KEY REFERENCES apps(appid),
    config     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oa_qrcodes (
    ticket     TEXT PRIMARY KEY,
    appid      TEXT NOT NULL REFERENCES apps(appid),
    code       TEXT NOT NULL UNIQUE,
    action     TEXT NOT NULL,
    scene_id   BIGINT NOT NULL DEFAULT 0,
    scene_str  TEXT NOT NULL DEFAULT '',
    permanent  INTEGER NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX oa_qrcodes_permanent ON oa_qrcodes(appid, permanent);

CREATE TABLE oa_template_industries (
    appid      TEXT PRIMARY KEY REFERENCES apps(appid),
    primary_id   BIGINT NOT NULL,
    secondary_id BIGINT NOT NULL,
    set_at     BIGINT NOT NULL
);

CREATE TABLE oa_templates (
    template_id TEXT PRIMARY KEY,
    appid       TEXT NOT NULL REFERENCES apps(appid),
    short_id    TEXT NOT NULL,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    example     TEXT NOT NULL DEFAULT '',
    primary_industry TEXT NOT NULL DEFAULT '',
    deputy_industry  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX oa_templates_app ON oa_templates(appid);

-- Mass sends. The fan-out walks the audience in user_id order in chunks,
-- each chunk committed with the cursor and the counts, so a restart resumes
-- where it stopped and counts stay exact.
CREATE TABLE oa_mass_jobs (
    msg_id       {{autoid}},
    appid        TEXT NOT NULL REFERENCES apps(appid),
    message_id   BIGINT NOT NULL,
    audience     TEXT NOT NULL,
    tag_id       BIGINT NOT NULL DEFAULT 0,
    openids      TEXT NOT NULL DEFAULT '',
    clientmsgid  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    cursor_user  TEXT NOT NULL DEFAULT '',
    total_count  BIGINT NOT NULL DEFAULT 0,
    filter_count BIGINT NOT NULL DEFAULT 0,
    sent_count   BIGINT NOT NULL DEFAULT 0,
    error_count  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX oa_mass_jobs_status ON oa_mass_jobs(status);
CREATE INDEX oa_mass_jobs_app ON oa_mass_jobs(appid, created_at);

-- Temporary media (3 days) uploaded by an account.
CREATE TABLE oa_media (
    media_id     TEXT PRIMARY KEY,
    appid        TEXT NOT NULL REFERENCES apps(appid),
    type         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         {{blob}} NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX oa_media_expiry ON oa_media(expires_at);

-- +goose Down
DROP TABLE oa_media;
DROP TABLE oa_mass_jobs;
DROP TABLE oa_templates;
DROP TABLE oa_template_industries;
DROP TABLE oa_qrcodes;
DROP TABLE oa_autoreplies;
DROP TABLE oa_menus;
DROP TABLE oa_callbacks;
DROP TABLE oa_callback_configs;
DROP TABLE oa_inbox;
DROP TABLE oa_messages;
DROP TABLE oa_follower_tags;
DROP TABLE oa_tags;
DROP TABLE oa_followers;
