-- One row per campaign group: list_stats summed over its lists, rates recomputed from the sums.
-- Deliberate repetition: the measure columns are those of list_stats (one table per grain).
CREATE TABLE IF NOT EXISTS group_stats (
    campaign_group    VARCHAR,
    lists             BIGINT NOT NULL,
    total_records     BIGINT NOT NULL,
    total_chains      BIGINT NOT NULL,
    no_call_records   BIGINT NOT NULL,
    dialable_records  BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    attempted_records BIGINT NOT NULL,
    connected_records BIGINT NOT NULL,
    connects          BIGINT NOT NULL,
    answering_machine BIGINT NOT NULL,
    busy              BIGINT NOT NULL,
    no_answer         BIGINT NOT NULL,
    abandoned         BIGINT NOT NULL,
    fax               BIGINT NOT NULL,
    invalid_number    BIGINT NOT NULL,
    do_not_call       BIGINT NOT NULL,
    wrong_party       BIGINT NOT NULL,
    records_finished  BIGINT NOT NULL,
    records_remaining BIGINT NOT NULL,
    connect_rate      DOUBLE,
    abandon_rate      DOUBLE,
    sit_rate          DOUBLE,
    penetration       DOUBLE
);
