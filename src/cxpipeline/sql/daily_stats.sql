-- Attempts, connects and abandons per list x local date of the call: the daily trend.
CREATE TABLE IF NOT EXISTS daily_stats (
    list_name    VARCHAR NOT NULL,
    call_date    DATE NOT NULL,
    attempts     BIGINT NOT NULL,
    connects     BIGINT NOT NULL,
    abandoned    BIGINT NOT NULL,
    connect_rate DOUBLE,
    abandon_rate DOUBLE
);
