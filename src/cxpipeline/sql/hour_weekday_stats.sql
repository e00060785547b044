-- Attempts and connects per list x local weekday x local hour of the called party: when to call.
CREATE TABLE IF NOT EXISTS hour_weekday_stats (
    list_name    VARCHAR NOT NULL,
    weekday      INTEGER NOT NULL,           -- 1 Monday ... 7 Sunday
    local_hour   INTEGER NOT NULL,           -- 0-23
    attempts     BIGINT NOT NULL,
    connects     BIGINT NOT NULL,
    connect_rate DOUBLE
);
