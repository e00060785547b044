-- Chain and states of one list's records whose chain has a call after $since and at or before
-- $as_of: the chains an attempt cap can hold now.
SELECT r.list_name, r.chain_id, r.states
FROM contact_records AS r
WHERE r.list_name = $list_name
  AND r.chain_id IN (
      SELECT c.chain_id
      FROM call_results AS c
      WHERE c.call_time_utc > $since AND c.call_time_utc <= $as_of
  );
