-- The records already in a list of the chain keys (_file_keys) or numbers (_file_numbers) of a
-- file far smaller than the list: an append chains onto the first and counts the chains of the
-- second (a number shared with a customer the file does not name).
SELECT chain_key, chain_id, chain_n, record_id, contact_info AS e164, extension
FROM contact_records
WHERE list_name = $list_name
  AND (
      chain_key IN (SELECT chain_key FROM _file_keys)
      OR contact_info IN (SELECT e164 FROM _file_numbers)
  );
