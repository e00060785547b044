-- Mark records matching an active suppression entry (by number, else by client id) as No Call;
-- a No Call record is never scheduled (as the lifecycle has it), so its schedule goes too.
-- $list_name: that list's records only (NULL: every list's). A step that adds entries
-- (suppress, a results load) re-applies them to every list; one that recomputes a list's state
-- (its ingest, its plan) to that list: the others already match every entry. $since: only the
-- entries added at or after it (NULL: every entry), as a results load applies its own to the
-- lists it did not recompute. $chains: only those chains' records (NULL: no such limit), as a
-- results load settles the chains it recomputed.
-- Two equality joins, not one join on "number OR client id": DuckDB hashes an equality join,
-- while an OR condition compares every record with every entry.
UPDATE contact_records AS r
SET record_type = 7,
    no_call_reason = m.reason,
    dial_sched_time = NULL
FROM (
    SELECT record_id,
           'suppressed:' || coalesce(min(by_number), min(any_list)) AS reason
    FROM (
        SELECT r2.record_id, s.suppression_list AS by_number, s.suppression_list AS any_list
        FROM contact_records AS r2
        JOIN suppression_entries AS s ON s.e164 = r2.contact_info
        WHERE (s.expires_at IS NULL OR s.expires_at > now())
          AND ($list_name IS NULL OR r2.list_name = $list_name)
          AND ($chains::BIGINT[] IS NULL OR r2.chain_id IN (SELECT unnest($chains::BIGINT[])))
          AND ($since::TIMESTAMPTZ IS NULL OR s.added_at >= $since::TIMESTAMPTZ)
        UNION ALL
        SELECT r2.record_id, NULL AS by_number, s.suppression_list AS any_list
        FROM contact_records AS r2
        JOIN suppression_entries AS s ON s.client_id = r2.client_id
        WHERE (s.expires_at IS NULL OR s.expires_at > now())
          AND ($list_name IS NULL OR r2.list_name = $list_name)
          AND ($chains::BIGINT[] IS NULL OR r2.chain_id IN (SELECT unnest($chains::BIGINT[])))
          AND ($since::TIMESTAMPTZ IS NULL OR s.added_at >= $since::TIMESTAMPTZ)
    ) AS matched
    GROUP BY record_id
) AS m
WHERE r.record_id = m.record_id
  AND (r.record_type <> 7 OR r.no_call_reason IS NULL);
