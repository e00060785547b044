-- The identities a list ever had of the chain keys of a file far smaller than the list
-- (_file_keys): all the per-chain stage reads of the registry for that file.
SELECT chain_key, e164, extension, record_id, chain_id
FROM record_identities
WHERE list_name = $list_name
  AND chain_key IN (SELECT chain_key FROM _file_keys);
