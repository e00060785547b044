-- Every record of one list in chain order (export).
SELECT *
FROM contact_records
WHERE list_name = $list_name
ORDER BY chain_id, chain_n;
