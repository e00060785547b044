-- Give the records of one list the window keys recomputed (registered as _state) from their
-- zones, states and the list's current campaign hours; unchanged keys are left alone.
UPDATE contact_records AS r
SET window_key = s.window_key
FROM _state AS s
WHERE r.list_name = $list_name
  AND r.tz_candidates IS NOT DISTINCT FROM s.tz_candidates
  AND r.states IS NOT DISTINCT FROM s.states
  AND r.window_key IS DISTINCT FROM s.window_key;
