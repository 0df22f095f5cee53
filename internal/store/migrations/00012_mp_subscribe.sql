-- Subscribe messages (internal/subscribemsg).
--
-- The public template library is a Go table (subscribemsg/library.go):
-- it is the platform's, the same for every deployment, and changes with
-- the code. Here are what apps and users make of it:
--   mp_sub_templates  an app's templates (priTmplId): a library title with
--                     the keywords the app chose, in its order.
--   mp_sub_credits    one-time subscriptions: how many sends an (app, user,
--                     template) may still make; each accept adds one, each
--                     send spends one.
--   mp_sub_choices    "always keep this choice": the user's standing
--                     answer for a template, given without asking again.
--   mp_notifications  the user's service notifications, across apps.

-- +goose Up
CREATE TABLE mp_sub_templates (
    pri_tmpl_id TEXT PRIMARY KEY,
    appid       TEXT NOT NULL REFERENCES apps(appid),
    tid         BIGINT NOT NULL,
    kids        TEXT NOT NULL,
    scene_desc  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX mp_sub_templates_app ON mp_sub_templates(appid, created_at);

CREATE TABLE mp_sub_credits (
    appid       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    pri_tmpl_id TEXT NOT NULL,
    credits     BIGINT NOT NULL CHECK (credits >= 0),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (appid, user_id, pri_tmpl_id)
){{without_rowid}};

CREATE TABLE mp_sub_choices (
    appid       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    pri_tmpl_id TEXT NOT NULL,
    choice      TEXT NOT NULL CHECK (choice IN ('accept', 'reject')),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (appid, user_id, pri_tmpl_id)
){{without_rowid}};

CREATE TABLE mp_notifications (
    id          {{autoid}},
    user_id     TEXT NOT NULL,
    appid       TEXT NOT NULL,
    pri_tmpl_id TEXT NOT NULL,
    title       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    page        TEXT NOT NULL DEFAULT '',
    env_version TEXT NOT NULL,
    lang        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mp_notifications_user ON mp_notifications(user_id, id);

-- +goose Down
DROP TABLE mp_notifications;
DROP TABLE mp_sub_choices;
DROP TABLE mp_sub_credits;
DROP TABLE mp_sub_templates;
