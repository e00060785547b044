-- A results load's new results (the staged files, read as _fresh) counted as
-- sql/ops/calls_by_bucket.sql counts them, added to call_buckets for the lists whose kept rows
-- were complete before the load ($lists); the others are rebuilt by the next refresh.
INSERT INTO call_buckets
SELECT r.list_name,
       c.tz_name,
       epoch_us(r.call_time_utc) // 900000000 AS bucket,
       CAST(r.call_result AS BIGINT) AS call_result,
       count(*) AS attempts
FROM _fresh AS r
LEFT JOIN contact_records AS c ON c.record_id = r.record_id
WHERE list_contains($lists, r.list_name)
GROUP BY ALL;
