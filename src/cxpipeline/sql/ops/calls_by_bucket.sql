-- Call attempts per list, the record's zone, 15-minute UTC bucket and call result: the counts
-- the local-time statistics convert (transforms.local_calls.localised). Counted here, where the
-- results are stored, so 10 results per record never travel to Polars for this; a result
-- whose record is gone counts with a null zone. The conversion to local time stays in Polars,
-- on the pinned tzdata release. Only the chains with ids in [$lo, $hi): a list's block of ids
-- holds its records and their results, so a refresh of some lists reads only theirs. A refresh
-- after a results load reads a list's kept counts instead (call_buckets, steps/call_buckets.py)
-- and counts them here again only when they do not add up to the list's results.
SELECT r.list_name,
       c.tz_name,
       epoch_us(r.call_time_utc) // 900000000 AS bucket,
       CAST(r.call_result AS BIGINT) AS call_result,
       count(*) AS attempts
FROM call_results AS r
LEFT JOIN (
    SELECT record_id, tz_name
    FROM contact_records
    WHERE chain_id >= $lo AND chain_id < $hi
) AS c ON c.record_id = r.record_id
WHERE r.chain_id >= $lo AND r.chain_id < $hi
GROUP BY ALL;
