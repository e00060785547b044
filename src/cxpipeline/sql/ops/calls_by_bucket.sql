-- Call attempts per list, the record's zone, 15-minute UTC bucket and call result: the counts
-- the local-time statistics convert (transforms.local_calls.localised). Counted here, where the
-- results are stored, so 10 results per record never travel to Polars for this; a result
-- whose record is gone counts with a null zone. The conversion to local time stays in Polars,
-- on the pinned tzdata release.
SELECT r.list_name,
       c.tz_name,
       epoch_us(r.call_time_utc) // 900000000 AS bucket,
       CAST(r.call_result AS BIGINT) AS call_result,
       count(*) AS attempts
FROM call_results AS r
LEFT JOIN contact_records AS c ON c.record_id = r.record_id
GROUP BY ALL;
