-- Mini program packages (internal/miniprogram/host).
--
-- mp_files holds every compiled file once, named by the hex SHA-256 of its
-- bytes: builds that share a file (the same image, an unchanged
-- service.js) share its row, and /mp/pkg/<hash> serves it immutable.
-- mp_dev_builds is the build a developer last published per mini program;
-- the manifest names its files by hash. mp_domains is WeChat's "服务器域名"
-- list: the hosts wx.request & co. may reach, per kind.
-- {{blob}} and {{without_rowid}} are spelled per backend by internal/store.

-- +goose Up
CREATE TABLE mp_files (
    hash       TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    data       {{blob}} NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE mp_dev_builds (
    appid         TEXT PRIMARY KEY REFERENCES apps(appid),
    manifest_hash TEXT NOT NULL,
    manifest      TEXT NOT NULL,
    source_dir    TEXT NOT NULL DEFAULT '',
    built_at      BIGINT NOT NULL
);

CREATE TABLE mp_domains (
    appid  TEXT NOT NULL REFERENCES apps(appid),
    kind   TEXT NOT NULL CHECK (kind IN ('request', 'socket', 'upload', 'download')),
    domain TEXT NOT NULL,
    PRIMARY KEY (appid, kind, domain)
){{without_rowid}};

-- +goose Down
DROP TABLE mp_domains;
DROP TABLE mp_dev_builds;
DROP TABLE mp_files;
