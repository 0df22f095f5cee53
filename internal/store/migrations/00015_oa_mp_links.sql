-- Official account ↔ mini program association (internal/officialaccount,
-- miniprograms.go; platform-rules §3.6). One row per (account, mini
-- program) with WeChat's status: 1 linked, 2 waiting for the mini
-- program's admin to confirm, 3 refused by the mini program's admin.
-- same_subject is fixed when the link is asked for: it decides which of the
-- account's limits (same-subject or other-subject) the link takes.
--
-- oa_mp_link_starts records every new link asked for, so the monthly limit
-- counts links that were later removed too (unlinking does not give the
-- month's allowance back).

-- +goose Up
CREATE TABLE oa_mp_links (
    oa_appid     TEXT NOT NULL REFERENCES apps(appid),
    mp_appid     TEXT NOT NULL REFERENCES apps(appid),
    status       INTEGER NOT NULL,
    same_subject INTEGER NOT NULL,
    show_profile INTEGER NOT NULL,
    notify_users INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (oa_appid, mp_appid)
){{without_rowid}};

CREATE INDEX oa_mp_links_mp ON oa_mp_links(mp_appid, status);

CREATE TABLE oa_mp_link_starts (
    id         {{autoid}},
    oa_appid   TEXT NOT NULL REFERENCES apps(appid),
    mp_appid   TEXT NOT NULL,
    started_at BIGINT NOT NULL
);

CREATE INDEX oa_mp_link_starts_month ON oa_mp_link_starts(oa_appid, started_at);

-- +goose Down
DROP TABLE oa_mp_link_starts;
DROP TABLE oa_mp_links;
