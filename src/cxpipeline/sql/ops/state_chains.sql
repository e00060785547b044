-- The chains whose state a refresh recomputes: those of one list (or of every list) with at
-- least one stored result. The lifecycle leaves the records of a chain without results as
-- they are, so a list's plan costs in proportion to the chains its results reach.
SELECT DISTINCT r.chain_id
FROM contact_records AS r
WHERE ($list_name IS NULL OR r.list_name = $list_name)
  AND r.record_id IN (SELECT record_id FROM call_results)
ORDER BY r.chain_id;
