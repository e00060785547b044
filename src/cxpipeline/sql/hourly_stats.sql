-- Attempts per list x local hour of the called party (record's zone, UTC if none) x result group.
CREATE TABLE IF NOT EXISTS hourly_stats (
    list_name    VARCHAR NOT NULL,
    local_hour   INTEGER NOT NULL,           -- 0-23
    result_group VARCHAR NOT NULL,           -- codes.ResultGroup
    attempts     BIGINT NOT NULL
);
