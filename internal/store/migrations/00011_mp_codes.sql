-- Mini program codes and links (internal/wxacode).
--
-- mp_code_params remembers every distinct parameter set an app asked
-- getwxacode/createwxaqrcode for: WeChat caps those codes per app over its
-- lifetime and counts identical parameters once, so the cap is a COUNT of
-- rows and a repeat is a primary-key hit.
-- mp_links are the tickets of URL schemes, URL links and short links: what
-- a ticket opens and until when (expires_at 0 = a permanent short link).

-- +goose Up
CREATE TABLE mp_code_params (
    appid       TEXT NOT NULL REFERENCES apps(appid),
    params_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (appid, params_hash)
){{without_rowid}};

CREATE TABLE mp_links (
    ticket      TEXT PRIMARY KEY,
    appid       TEXT NOT NULL REFERENCES apps(appid),
    kind        TEXT NOT NULL CHECK (kind IN ('scheme', 'urllink', 'shortlink')),
    path        TEXT NOT NULL,
    query       TEXT NOT NULL,
    env_version TEXT NOT NULL,
    title       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX mp_links_app ON mp_links(appid, kind, expires_at);

-- +goose Down
DROP TABLE mp_links;
DROP TABLE mp_code_params;
