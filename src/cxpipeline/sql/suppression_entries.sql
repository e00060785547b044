-- Do-not-call entries by named list: a number and/or a client id, with an optional expiry.
CREATE TABLE IF NOT EXISTS suppression_entries (
    suppression_list VARCHAR NOT NULL,
    e164             VARCHAR,
    client_id        VARCHAR,
    expires_at       TIMESTAMPTZ,
    source_file      VARCHAR,
    added_at         TIMESTAMPTZ NOT NULL
);
