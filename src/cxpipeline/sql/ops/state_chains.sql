-- The chains whose state a refresh recomputes: every chain of one list, or of every list.
SELECT DISTINCT chain_id
FROM contact_records
WHERE $list_name IS NULL OR list_name = $list_name
ORDER BY chain_id;
