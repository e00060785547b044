-- How many records of one list have at least one planned window.
SELECT count(DISTINCT record_id)
FROM dialable_windows
WHERE list_name = $list_name;
