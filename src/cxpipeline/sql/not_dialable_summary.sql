-- Records that may not be dialed, per list and reason (suppression list, toll-free, DNC result).
CREATE OR REPLACE VIEW not_dialable_summary AS
SELECT list_name,
       campaign_group,
       coalesce(no_call_reason, 'record_type ' || record_type) AS reason,
       count(*) AS records
FROM contact_records
WHERE record_type = 7
GROUP BY ALL;
