-- The effective settings the record lifecycle reads, per list (one list, or every list when
-- $list_name is NULL).
SELECT list_name, max_attempts, cycles, retry_interval_minutes, treatments
FROM campaign_settings
WHERE $list_name IS NULL OR list_name = $list_name;
