-- The compliance rules as `rules show` lists them.
SELECT jurisdiction, purpose, days, start_local, end_local, clock, holiday_ban,
       max_attempts, attempt_window_hours, effective_from, confidence
FROM compliance_rules
ORDER BY jurisdiction, purpose, days;
