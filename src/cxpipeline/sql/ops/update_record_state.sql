-- Write recomputed record state (registered as _state) back to contact_records.
-- Only the rows whose state changed: a rebuild recomputes every record of a list while few of
-- them move (the 500k list's rebuild a day later: 219k of 926k), and a row left alone is not
-- written at all. (It did not lower the COMMIT's memory at 5M: the moved rows are spread over
-- every vector, and DuckDB's COMMIT follows the vectors an UPDATE touches.)
UPDATE contact_records AS r
SET attempt = s.attempt,
    call_result = s.call_result,
    call_time = s.call_time,
    record_status = s.record_status,
    record_type = s.record_type,
    dial_sched_time = s.dial_sched_time,
    no_call_reason = s.no_call_reason
FROM _state AS s
WHERE r.record_id = s.record_id
  AND (r.attempt IS DISTINCT FROM s.attempt
       OR r.call_result IS DISTINCT FROM s.call_result
       OR r.call_time IS DISTINCT FROM s.call_time
       OR r.record_status IS DISTINCT FROM s.record_status
       OR r.record_type IS DISTINCT FROM s.record_type
       OR r.dial_sched_time IS DISTINCT FROM s.dial_sched_time
       OR r.no_call_reason IS DISTINCT FROM s.no_call_reason);
