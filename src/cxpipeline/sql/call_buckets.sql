-- Call attempts per list, the record's zone, 15-minute UTC bucket and call result, kept so a
-- statistics refresh after a results load reads these counts instead of counting every result
-- the list ever had again (sql/ops/calls_by_bucket.sql counts the same from call_results).
-- A results load adds its new results' counts (several rows may share a key: readers sum
-- them); an ingest deletes the list's rows (its records' zones may change); a refresh rebuilds
-- a list's rows from call_results whenever they do not add up to its results
-- (steps/call_buckets.py), and writes them back summed.
CREATE TABLE IF NOT EXISTS call_buckets (
    list_name   VARCHAR NOT NULL,
    tz_name     VARCHAR,                  -- the record's zone; null when the record is gone
    bucket      BIGINT NOT NULL,          -- epoch_us(call_time_utc) // 900,000,000
    call_result BIGINT NOT NULL,
    attempts    BIGINT NOT NULL
);
