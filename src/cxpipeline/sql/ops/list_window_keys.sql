-- The window keys a list has planned windows for (append adds only the keys it lacks).
SELECT DISTINCT window_key
FROM window_keys
WHERE list_name = $list_name;
