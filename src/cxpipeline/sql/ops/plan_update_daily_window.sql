-- Give the records of one list the first-day window (registered as _state) of their key and zone.
-- Only the records whose window moved: every morning's plan rewrote two columns of every record
-- of the list, where on most days none or a few thousand of them move (500k list: 0-8,245).
UPDATE contact_records AS r
SET daily_from = s.daily_from,
    daily_till = s.daily_till
FROM _state AS s
WHERE r.list_name = $list_name
  AND r.window_key = s.window_key
  AND r.tz_name IS NOT DISTINCT FROM s.tz_name
  AND (r.daily_from IS DISTINCT FROM s.daily_from OR r.daily_till IS DISTINCT FROM s.daily_till);
