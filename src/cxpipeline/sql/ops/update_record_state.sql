-- Write recomputed record state (registered as _state) back to contact_records.
UPDATE contact_records AS r
SET attempt = s.attempt,
    call_result = s.call_result,
    call_time = s.call_time,
    record_status = s.record_status,
    record_type = s.record_type,
    dial_sched_time = s.dial_sched_time,
    no_call_reason = s.no_call_reason
FROM _state AS s
WHERE r.record_id = s.record_id;
