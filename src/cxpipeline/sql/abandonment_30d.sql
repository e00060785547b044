-- Abandonment of each campaign group over the 30 days up to its last call, against its limit.
CREATE TABLE IF NOT EXISTS abandonment_30d (
    campaign_group   VARCHAR NOT NULL,
    lists            BIGINT NOT NULL,
    window_start_utc TIMESTAMPTZ NOT NULL,
    window_end_utc   TIMESTAMPTZ NOT NULL,
    attempts         BIGINT NOT NULL,
    connects         BIGINT NOT NULL,
    abandoned        BIGINT NOT NULL,
    abandon_rate     DOUBLE,
    abandon_limit    DOUBLE NOT NULL,
    over_limit       BOOLEAN NOT NULL
);
