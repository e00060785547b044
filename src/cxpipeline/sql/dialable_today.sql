-- Records that may be dialed per list x record zone x local hour in the 24 h from the plan's as-of.
CREATE TABLE IF NOT EXISTS dialable_today (
    list_name  VARCHAR NOT NULL,
    as_of      TIMESTAMPTZ NOT NULL,
    tz_name    VARCHAR,
    local_hour INTEGER NOT NULL,
    records    BIGINT NOT NULL
);
