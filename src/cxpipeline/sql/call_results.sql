-- One row per call attempt loaded from a results file; result_key makes reloads a no-op.
-- result_key is unique, but no index holds it: a load keeps only results whose key its records
-- have not stored yet, and the state refresh that follows checks every touched chain's results
-- in the load's transaction (steps/state.py). DuckDB keeps an index whole in memory, growing
-- with every result ever loaded: 8.5 M results into a 5M-row list took it to 2.3 GiB before the
-- COMMIT and 3.8 GiB in it. Warehouses made before keep their index; it holds the same rule.
CREATE TABLE IF NOT EXISTS call_results (
    list_name     VARCHAR NOT NULL,
    record_id     BIGINT NOT NULL,
    chain_id      BIGINT NOT NULL,
    call_time_utc TIMESTAMPTZ NOT NULL,
    call_result   INTEGER NOT NULL,          -- docs/domain.md §3.3
    attempt       INTEGER NOT NULL,          -- given in the file, else counted per record
    agent_id      VARCHAR,
    duration_s    DOUBLE,
    disposition   VARCHAR,
    callback_time_utc TIMESTAMPTZ,           -- callback the agent set, if any
    callback_type VARCHAR,                   -- 'personal' (same agent) or 'campaign'
    result_key    UBIGINT NOT NULL,          -- stable hash of record_id, call_time_utc, call_result
    source_file   VARCHAR NOT NULL,
    loaded_at     TIMESTAMPTZ NOT NULL
);
