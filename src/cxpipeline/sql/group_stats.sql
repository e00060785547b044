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
    penetration       DOUBLE,
    attempted_dialable_records BIGINT NOT NULL,  -- docs/metrics.md
    right_party_contacts  BIGINT NOT NULL,   -- chains with a 33 Answer
    talk_time_s           DOUBLE NOT NULL,   -- seconds of 33 Answer calls
    chains_finished       BIGINT NOT NULL,   -- every record finished or No Call (once per chain)
    callbacks_pending     BIGINT NOT NULL,   -- type 5/6 records still to call
    callbacks_due         BIGINT NOT NULL,   -- ... whose time has come at the as-of
    records_waiting_retry BIGINT NOT NULL,   -- workable, scheduled after the as-of
    records_ready_now     BIGINT NOT NULL,   -- workable, unscheduled or schedule passed
    abandon_over_limit    BOOLEAN NOT NULL   -- abandon_rate > abandon_rate_limit_percent
);
