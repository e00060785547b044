-- Identity columns of the records already in a list (append chains new rows onto them).
SELECT chain_key, chain_id, chain_n, record_id, contact_info AS e164, extension
FROM contact_records
WHERE list_name = $list_name;
