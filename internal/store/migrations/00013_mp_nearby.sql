-- Nearby mini programs (internal/nearby): the POIs ("附近地点") a mini
-- program puts on the nearby list. WeChat's fields are kept as sent (the
-- JSON-in-a-string ones as text); latitude/longitude (WGS-84) are our
-- extension, since we have no Tencent Maps to resolve map_poi_id.
--
-- Rows are deleted softly (deleted_at) and every change bumps updated_at:
-- each server keeps the list in an in-memory index and refreshes it from
-- the rows changed since its last look, which must include deletions.
-- A place (map_poi_id) belongs to one mini program at a time.

-- +goose Up
CREATE TABLE mp_nearby_pois (
    id                 {{autoid}},
    appid              TEXT NOT NULL REFERENCES apps(appid),
    audit_id           TEXT NOT NULL,
    store_name         TEXT NOT NULL,
    address            TEXT NOT NULL,
    hour               TEXT NOT NULL DEFAULT '',
    company_name       TEXT NOT NULL DEFAULT '',
    contract_phone     TEXT NOT NULL DEFAULT '',
    credential         TEXT NOT NULL,
    qualification_list TEXT NOT NULL DEFAULT '',
    map_poi_id         TEXT NOT NULL DEFAULT '',
    kf_info            TEXT NOT NULL DEFAULT '',
    pic_list           TEXT NOT NULL DEFAULT '',
    service_infos      TEXT NOT NULL DEFAULT '',
    is_comm_nearby     TEXT NOT NULL DEFAULT '1',
    latitude           DOUBLE PRECISION NOT NULL,
    longitude          DOUBLE PRECISION NOT NULL,
    audit_status       INTEGER NOT NULL,
    display_status     INTEGER NOT NULL,
    refuse_reason      TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX mp_nearby_pois_app ON mp_nearby_pois(appid, deleted_at, id);
CREATE INDEX mp_nearby_pois_changed ON mp_nearby_pois(updated_at);
CREATE INDEX mp_nearby_pois_credential ON mp_nearby_pois(credential, deleted_at);
CREATE UNIQUE INDEX mp_nearby_pois_place ON mp_nearby_pois(map_poi_id) WHERE map_poi_id <> '' AND deleted_at = 0;

-- +goose Down
DROP TABLE mp_nearby_pois;
