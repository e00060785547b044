-- Move a dial_sched_time that falls outside every calling window of its record to the start
-- of the next window (one list, or every list when $list_name is NULL; only the records of
-- $chains unless it is NULL). A time inside a window, or after the last planned window, is
-- left alone.
UPDATE contact_records AS r
SET dial_sched_time = n.next_start
FROM (
    SELECT r.record_id, CAST(epoch(min(k.window_start_utc)) AS BIGINT) AS next_start
    FROM contact_records AS r
    JOIN window_keys AS k
      ON k.list_name = r.list_name AND k.window_key = r.window_key
    WHERE r.dial_sched_time IS NOT NULL
      AND ($list_name IS NULL OR r.list_name = $list_name)
      AND ($chains::BIGINT[] IS NULL OR r.chain_id IN (SELECT unnest($chains::BIGINT[])))
      AND k.window_end_utc > to_timestamp(r.dial_sched_time)
    GROUP BY r.record_id, r.dial_sched_time
    HAVING min(k.window_start_utc) > to_timestamp(r.dial_sched_time)
) AS n
WHERE r.record_id = n.record_id;
