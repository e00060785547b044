-- The record columns that call results update, with what the lifecycle reads of each record
-- (one list, or every list when $list_name is NULL).
SELECT r.list_name, r.campaign_group, r.record_id, r.chain_id, r.chain_n, r.tz_name,
       r.contact_info, r.client_id, r.record_type, r.record_status, r.attempt,
       r.call_result, r.call_time, r.dial_sched_time, r.no_call_reason, r.states, r.agent_id
FROM contact_records AS r
WHERE $list_name IS NULL OR r.list_name = $list_name;
