-- Mark records matching an active suppression entry (by number, else by client id) as No Call.
UPDATE contact_records AS r
SET record_type = 7,
    no_call_reason = m.reason
FROM (
    SELECT r2.record_id,
           'suppressed:' || coalesce(min(CASE WHEN s.e164 = r2.contact_info THEN s.suppression_list END),
                                      min(s.suppression_list)) AS reason
    FROM contact_records AS r2
    JOIN suppression_entries AS s
      ON (s.e164 = r2.contact_info OR (s.client_id IS NOT NULL AND s.client_id = r2.client_id))
     AND (s.expires_at IS NULL OR s.expires_at > now())
    GROUP BY r2.record_id
) AS m
WHERE r.record_id = m.record_id
  AND (r.record_type <> 7 OR r.no_call_reason IS NULL);
