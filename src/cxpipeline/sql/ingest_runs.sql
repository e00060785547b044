-- One row per ingest of a contact list: the accounting that proves nothing was dropped.
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id          VARCHAR PRIMARY KEY,   -- one per run: hash of input_key and the runs before
    input_key       VARCHAR,               -- hash of file, list, group, mode, spec, options, as-of
    list_name       VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,      -- the immutable copy under lake/raw/
    original_file   VARCHAR,               -- the path the user gave
    source_sha256   VARCHAR NOT NULL,
    mode            VARCHAR NOT NULL,      -- replace | append
    rows_read       BIGINT NOT NULL,
    rows_accepted   BIGINT NOT NULL,
    rows_rejected   BIGINT NOT NULL,
    duplicate_rows  BIGINT NOT NULL DEFAULT 0,
    phone_values    BIGINT NOT NULL DEFAULT 0,
    phones_rejected BIGINT NOT NULL DEFAULT 0,
    records_written BIGINT NOT NULL,
    records_kept    BIGINT,                -- replace: ids the list had before and has now
    records_added   BIGINT,                -- ids new to the list
    records_removed BIGINT,                -- replace: ids the list no longer has (history kept)
    status          VARCHAR NOT NULL,      -- succeeded | unchanged | failed
    message         VARCHAR,
    as_of           TIMESTAMPTZ,
    horizon_days    INTEGER,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    tz_release      VARCHAR                -- IANA release of the zone data (tzdata), e.g. 2026f
);
-- Warehouses created before tz_release existed get the column too.
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS tz_release VARCHAR;
