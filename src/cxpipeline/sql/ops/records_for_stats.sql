-- The narrow record columns the statistics are computed from, of the chains with ids in
-- [$lo, $hi): the statistics read the records one slice of whole chains at a time.
SELECT list_name, campaign_group, record_id, chain_id, record_type, record_status,
       attempt, call_result, tz_name, dial_sched_time
FROM contact_records
WHERE chain_id >= $lo AND chain_id < $hi;
