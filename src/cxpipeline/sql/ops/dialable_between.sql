-- Per list, the records with a window in [$start, $end) and how many windows (a run's digest).
SELECT list_name, count(DISTINCT record_id) AS records, count(*) AS windows
FROM dialable_windows
WHERE window_start_utc < $end AND window_end_utc > $start
GROUP BY list_name
ORDER BY list_name;
