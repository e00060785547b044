-- Every identity a list ever had (its registry), for handing out stable ids.
SELECT chain_key, e164, extension, record_id, chain_id
FROM record_identities
WHERE list_name = $list_name;
