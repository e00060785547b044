-- What of an append's records breaks the keys of docs/contract.md, with how many records: the
-- checks of record_key_conflicts.sql over the keys the run $run_id added to the list (ids
-- outside the list's id block [$low, $high); a record id or chain position shared with any
-- record of the list). The list's other records passed the same checks when they were loaded;
-- grouping them all again cost 1.4 s of a 50,000-row append to a list of 9.3 M records.
WITH added AS (
    SELECT record_id, chain_id
    FROM contact_records
    WHERE list_name = $list_name AND run_id = $run_id
),
-- Every record of the list that shares a record id or a chain with one the run added.
touched AS (
    SELECT record_id, chain_id, chain_n
    FROM contact_records
    WHERE list_name = $list_name
      AND (record_id IN (SELECT record_id FROM added) OR chain_id IN (SELECT chain_id FROM added))
)
SELECT 'ids outside the list''s id block' AS problem, count(*) AS records
FROM added
WHERE record_id < $low OR record_id >= $high OR chain_id < $low OR chain_id >= $high
HAVING count(*) > 0
UNION ALL
SELECT 'a record id shared by two records', count(*)
FROM (SELECT record_id FROM touched GROUP BY record_id HAVING count(*) > 1)
HAVING count(*) > 0
UNION ALL
SELECT 'a chain position (chain_id, chain_n) shared by two records', count(*)
FROM (SELECT chain_id, chain_n FROM touched GROUP BY chain_id, chain_n HAVING count(*) > 1)
HAVING count(*) > 0;
