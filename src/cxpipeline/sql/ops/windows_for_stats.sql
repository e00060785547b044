-- The dialable windows the operations statistics count (dialable_today).
SELECT list_name, record_id, window_start_utc, window_end_utc
FROM dialable_windows;
