-- Mini program versions (internal/release, docs/miniprogram-platform.md).
--
-- mp_versions: every upload, id increasing per app from 1 (WeChat's
-- app_version); the manifest is kept with the version so a launch of an
-- old version still finds its files (mp_files is content-addressed).
-- mp_release_state: one row per app with the pointers (trial, online), the
-- rejection count and restriction, and rev, bumped by every change so other
-- servers notice within seconds and rebuild their resolution snapshot.
-- mp_audits.id is WeChat's auditid, global. mp_release_history holds the
-- versions that went online (for rollback), mp_gray_plans the app's
-- current or last gray plan.

-- +goose Up
CREATE TABLE mp_versions (
    appid         TEXT NOT NULL REFERENCES apps(appid),
    id            BIGINT NOT NULL,
    user_version  TEXT NOT NULL,
    user_desc     TEXT NOT NULL,
    manifest      TEXT NOT NULL,
    manifest_hash TEXT NOT NULL,
    source_hash   TEXT NOT NULL DEFAULT '',
    pages         TEXT NOT NULL,
    uploader      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (appid, id)
);
CREATE INDEX mp_versions_uploader ON mp_versions(appid, uploader, id);

CREATE TABLE mp_release_state (
    appid           TEXT PRIMARY KEY REFERENCES apps(appid),
    trial_version   BIGINT NOT NULL DEFAULT 0,
    trial_ext_json  TEXT NOT NULL DEFAULT '',
    online_version  BIGINT NOT NULL DEFAULT 0,
    online_ext_json TEXT NOT NULL DEFAULT '',
    rejections      INTEGER NOT NULL DEFAULT 0,
    restricted      INTEGER NOT NULL DEFAULT 0,
    rev             BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mp_members (
    appid   TEXT NOT NULL REFERENCES apps(appid),
    user_id TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('trial', 'project')),
    PRIMARY KEY (appid, user_id, role)
){{without_rowid}};

CREATE TABLE mp_audits (
    id           {{autoid}},
    appid        TEXT NOT NULL REFERENCES apps(appid),
    version_id   BIGINT NOT NULL,
    user_version TEXT NOT NULL,
    user_desc    TEXT NOT NULL,
    ext_json     TEXT NOT NULL DEFAULT '',
    status       INTEGER NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    findings     TEXT NOT NULL DEFAULT '[]',
    item_list    TEXT NOT NULL DEFAULT '',
    version_desc TEXT NOT NULL DEFAULT '',
    submitter    TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0,
    reviewer     TEXT NOT NULL DEFAULT '',
    released     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mp_audits_app ON mp_audits(appid, id);
CREATE INDEX mp_audits_pending ON mp_audits(id) WHERE status = 2;

CREATE TABLE mp_release_history (
    id          {{autoid}},
    appid       TEXT NOT NULL REFERENCES apps(appid),
    version_id  BIGINT NOT NULL,
    ext_json    TEXT NOT NULL DEFAULT '',
    released_at BIGINT NOT NULL,
    how         TEXT NOT NULL
);
CREATE INDEX mp_release_history_app ON mp_release_history(appid, id);

CREATE TABLE mp_gray_plans (
    appid             TEXT PRIMARY KEY REFERENCES apps(appid),
    status            INTEGER NOT NULL,
    audit_id          BIGINT NOT NULL,
    version_id        BIGINT NOT NULL,
    percentage        INTEGER NOT NULL,
    experiencer_first INTEGER NOT NULL DEFAULT 0,
    debugger_first    INTEGER NOT NULL DEFAULT 0,
    named_openids     TEXT NOT NULL DEFAULT '[]',
    created_at        BIGINT NOT NULL
);

-- +goose Down
DROP TABLE mp_gray_plans;
DROP TABLE mp_release_history;
DROP TABLE mp_audits;
DROP TABLE mp_members;
DROP TABLE mp_release_state;
DROP TABLE mp_versions;
