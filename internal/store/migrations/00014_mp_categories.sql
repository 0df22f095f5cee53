-- A mini program's service categories (类目) and the qualification
-- documents its subject has filed (internal/account/categories.go).
-- The taxonomy itself is a table in code; rows name its ids.

-- +goose Up
CREATE TABLE mp_categories (
    appid      TEXT NOT NULL REFERENCES apps(appid),
    first_id   BIGINT NOT NULL,
    second_id  BIGINT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (appid, first_id, second_id)
){{without_rowid}};

CREATE TABLE subject_qualifications (
    subject_id TEXT NOT NULL REFERENCES subjects(id),
    name       TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (subject_id, name)
){{without_rowid}};

-- +goose Down
DROP TABLE subject_qualifications;
DROP TABLE mp_categories;
