-- The narrow record columns the statistics are computed from.
SELECT list_name, campaign_group, record_id, chain_id, record_type, record_status,
       attempt, call_result, tz_name, dial_sched_time
FROM contact_records;
