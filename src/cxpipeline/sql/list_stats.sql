-- One row per contact list: the dashboard measures of docs/contract.md §4 (rebuilt by `stats`).
-- Result columns count attempts; rates are null when their denominator is zero.
CREATE TABLE IF NOT EXISTS list_stats (
    list_name         VARCHAR NOT NULL,
    campaign_group    VARCHAR,
    total_records     BIGINT NOT NULL,
    total_chains      BIGINT NOT NULL,
    no_call_records   BIGINT NOT NULL,
    dialable_records  BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    attempted_records BIGINT NOT NULL,
    connected_records BIGINT NOT NULL,       -- distinct records with a connect
    connects          BIGINT NOT NULL,       -- 33
    answering_machine BIGINT NOT NULL,       -- 9
    busy              BIGINT NOT NULL,       -- 6
    no_answer         BIGINT NOT NULL,       -- 7
    abandoned         BIGINT NOT NULL,       -- 21
    fax               BIGINT NOT NULL,       -- 17
    invalid_number    BIGINT NOT NULL,       -- 8, 11-16, 53
    do_not_call       BIGINT NOT NULL,       -- 51
    wrong_party       BIGINT NOT NULL,       -- 40
    records_finished  BIGINT NOT NULL,       -- dialable, status 3 Updated or 7 Chain Updated
    records_remaining BIGINT NOT NULL,
    connect_rate      DOUBLE,                -- connects / attempts
    abandon_rate      DOUBLE,                -- abandoned / (connects + abandoned)
    sit_rate          DOUBLE,                -- invalid_number / attempts
    penetration       DOUBLE,                -- attempted_dialable_records / dialable_records
    finished_last_24h     BIGINT,            -- records finished in the 24 h before the last call
    completion_per_hour   DOUBLE,            -- finished_last_24h / 24
    est_hours_to_complete DOUBLE,            -- records_remaining / completion_per_hour
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
