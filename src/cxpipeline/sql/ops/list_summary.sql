-- One row per list: records, no-call, dialable, with planned windows, calls, connects.
SELECT s.list_name, s.total_records, s.no_call_records, s.dialable_records,
       (SELECT count(DISTINCT record_id) FROM dialable_windows AS d
         WHERE d.list_name = s.list_name) AS with_windows,
       s.attempts, s.connects
FROM list_stats AS s
ORDER BY s.list_name;
