-- Distinct zones, states and zone of the records of one list: what a window key is made of.
SELECT DISTINCT tz_candidates, states, tz_name
FROM contact_records
WHERE list_name = $list_name;
