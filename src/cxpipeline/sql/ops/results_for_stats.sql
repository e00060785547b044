-- The narrow call-result columns the statistics (and the operations statistics) are computed
-- from: no file names, agents or dispositions travel to Polars.
SELECT list_name, record_id, chain_id, call_result, call_time_utc, duration_s
FROM call_results;
