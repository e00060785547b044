-- The calls of one list's current records after $since and at or before $as_of: what its
-- attempt caps can count ($since is the start of the longest cap window in force).
SELECT c.list_name, c.chain_id, c.call_time_utc
FROM call_results AS c
WHERE c.call_time_utc > $since
  AND c.call_time_utc <= $as_of
  AND c.record_id IN (SELECT record_id FROM contact_records WHERE list_name = $list_name);
