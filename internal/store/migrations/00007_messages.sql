-- Pushed messages: what 00003 lacked for template and mass sends.

-- +goose Up

-- Template messages each account sent per day (Beijing time), against
-- Policy.TemplateDailySend: one counter row instead of counting messages.
CREATE TABLE oa_template_daily (
    appid TEXT NOT NULL,
    day   TEXT NOT NULL,
    sent  BIGINT NOT NULL,
    PRIMARY KEY (appid, day)
);

-- The client_msg_id of recent template sends: the same id to the same
-- follower again answers the first msgid and sends nothing.
CREATE TABLE oa_template_sends (
    appid         TEXT NOT NULL,
    openid        TEXT NOT NULL,
    client_msg_id TEXT NOT NULL,
    msgid         BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (appid, openid, client_msg_id)
);
CREATE INDEX oa_template_sends_created ON oa_template_sends(created_at);

-- A repeated clientmsgid of a mass send is found without a scan.
CREATE INDEX oa_mass_jobs_client ON oa_mass_jobs(appid, clientmsgid);

-- +goose Down
DROP INDEX oa_mass_jobs_client;
DROP TABLE oa_template_sends;
DROP TABLE oa_template_daily;
