-- The as-of each list's windows were last planned from (start of its "today").
SELECT list_name, max(as_of) AS as_of
FROM window_keys
WHERE as_of IS NOT NULL
GROUP BY list_name;
