-- After an append, flag every record of the list whose number now sits in more than one chain
-- (the new records are flagged at ingest; this updates the ones already in the list). Only the
-- numbers of the run's own records can have gained a chain: the count is taken over those.
UPDATE contact_records AS r
SET shared_number = s.shared
FROM (
    SELECT contact_info, count(DISTINCT chain_id) > 1 AS shared
    FROM contact_records
    WHERE list_name = $list_name
      AND contact_info IN (
          SELECT contact_info
          FROM contact_records
          WHERE list_name = $list_name AND run_id = $run_id
      )
    GROUP BY contact_info
) AS s
WHERE r.list_name = $list_name
  AND r.contact_info = s.contact_info
  AND r.shared_number <> s.shared;
