-- The call-result columns the 30-day abandonment is computed from (every other statistic
-- reads the per-record sums of results_per_record.sql): no file names, agents or
-- dispositions travel to Polars.
SELECT list_name, call_result, call_time_utc
FROM call_results;
