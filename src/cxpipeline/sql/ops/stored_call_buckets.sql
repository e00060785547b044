-- One list's kept call attempts per zone, 15-minute UTC bucket and call result, summed (a
-- results load adds rows that may share a key): what sql/ops/calls_by_bucket.sql counts from
-- call_results, read when the kept rows are complete (steps/call_buckets.py).
SELECT list_name,
       tz_name,
       bucket,
       call_result,
       CAST(sum(attempts) AS BIGINT) AS attempts
FROM call_buckets
WHERE list_name = $list_name
GROUP BY ALL;
