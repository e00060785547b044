-- The narrow call-result columns the operations statistics are computed from.
SELECT list_name, record_id, call_result, call_time_utc
FROM call_results;
