-- Every planned window of one list's window keys (export --day).
SELECT window_key, window_start_utc, window_end_utc
FROM window_keys
WHERE list_name = $list_name;
