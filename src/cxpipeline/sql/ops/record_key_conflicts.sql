-- What of a list's records breaks the keys of docs/contract.md, with how many records: a record id
-- or chain id outside the list's id block [$low, $high), a record id two records share, a chain
-- position (chain_id, chain_n) two records share. No row for a sound list. Every list's ids
-- come from its own block, so these per-list checks make record_id unique across the warehouse.
-- The ingest checks them in its transaction instead of holding unique indexes on
-- contact_records (see contact_records.sql): aggregates spill within DuckDB's memory bound.
SELECT 'ids outside the list''s id block' AS problem, count(*) AS records
FROM contact_records
WHERE list_name = $list_name
  AND (record_id < $low OR record_id >= $high OR chain_id < $low OR chain_id >= $high)
HAVING count(*) > 0
UNION ALL
SELECT 'a record id shared by two records', count(*)
FROM (
    SELECT record_id
    FROM contact_records
    WHERE list_name = $list_name
    GROUP BY record_id
    HAVING count(*) > 1
)
HAVING count(*) > 0
UNION ALL
SELECT 'a chain position (chain_id, chain_n) shared by two records', count(*)
FROM (
    SELECT chain_id, chain_n
    FROM contact_records
    WHERE list_name = $list_name
    GROUP BY chain_id, chain_n
    HAVING count(*) > 1
)
HAVING count(*) > 0;
