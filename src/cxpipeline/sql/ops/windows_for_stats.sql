-- The dialable windows the operations statistics count (dialable_today): only those that
-- overlap the 24 hours from their list's plan as-of (plan_as_of.sql), which are all that
-- table counts. The rest of the horizon (a week: ~6 of every 7 windows) stays here. The
-- 24 hours are exact microseconds, not a calendar day, as in the transform. Only the chains
-- with ids in [$lo, $hi): one slice of whole chains at a time.
WITH plan AS (
    SELECT list_name, max(as_of) AS as_of
    FROM window_keys
    WHERE as_of IS NOT NULL
    GROUP BY list_name
)
SELECT w.list_name, w.record_id, w.window_start_utc, w.window_end_utc
FROM dialable_windows AS w
JOIN plan AS p ON p.list_name = w.list_name
WHERE w.window_start_utc < p.as_of + INTERVAL 24 HOURS
  AND w.window_end_utc > p.as_of
  AND w.chain_id >= $lo AND w.chain_id < $hi;
