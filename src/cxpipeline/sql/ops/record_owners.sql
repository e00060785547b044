-- Every record id ever handed out, with its list, chain, number and client id: results of a
-- record a refreshed file removed still belong to its person's history.
SELECT list_name, record_id, chain_id, e164 AS contact_info,
       CASE WHEN chain_key LIKE 'id:%' THEN substr(chain_key, 4) END AS client_id
FROM record_identities
UNION
SELECT list_name, record_id, chain_id, contact_info, client_id
FROM contact_records;
