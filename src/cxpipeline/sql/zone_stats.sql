-- Records, attempts and connects per list x time zone of the record (null zone: own row).
CREATE TABLE IF NOT EXISTS zone_stats (
    list_name         VARCHAR NOT NULL,
    tz_name           VARCHAR,
    total_records     BIGINT NOT NULL,
    dialable_records  BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    attempted_records BIGINT NOT NULL,
    connects          BIGINT NOT NULL,
    connect_rate      DOUBLE,                -- connects / attempts
    penetration       DOUBLE                 -- attempted_records / dialable_records
);
