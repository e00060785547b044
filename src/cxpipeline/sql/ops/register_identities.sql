-- Register the identities of a list's records that the registry does not hold yet.
INSERT INTO record_identities
SELECT r.list_name, r.chain_key, r.contact_info, r.extension, r.record_id, r.chain_id,
       r.run_id, now()
FROM contact_records AS r
WHERE r.list_name = $list_name
  AND NOT EXISTS (SELECT 1 FROM record_identities AS i WHERE i.record_id = r.record_id);
