-- The record columns that call results update, with what the lifecycle reads of each record,
-- for the records of the chains registered as _chains: a chain's state depends on its own
-- records and results only. $lo and $hi are the least and greatest of those chain ids: the
-- records are stored in record id order, in which chain ids rise too, so DuckDB reads only
-- the row groups of the range instead of the whole table in every pass.
SELECT r.list_name, r.campaign_group, r.record_id, r.chain_id, r.chain_n, r.tz_name,
       r.contact_info, r.client_id, r.record_type, r.record_status, r.attempt,
       r.call_result, r.call_time, r.dial_sched_time, r.no_call_reason, r.states, r.agent_id
FROM contact_records AS r
WHERE r.chain_id BETWEEN $lo AND $hi
  AND r.chain_id IN (SELECT chain_id FROM _chains);
