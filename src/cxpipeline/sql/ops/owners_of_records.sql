-- The list, chain, number and client id of each record id registered as _result_records (a
-- pass of a results load). Record ids a refreshed file removed are in record_identities: their
-- results still belong to their person's history. Each pass reads the owners of its own
-- records only, never every record of the warehouse, which grows with every list.
SELECT list_name, record_id, chain_id, e164 AS contact_info,
       CASE WHEN chain_key LIKE 'id:%' THEN substr(chain_key, 4) END AS client_id
FROM record_identities
WHERE record_id IN (SELECT record_id FROM _result_records)
UNION
SELECT list_name, record_id, chain_id, contact_info, client_id
FROM contact_records
WHERE record_id IN (SELECT record_id FROM _result_records);
