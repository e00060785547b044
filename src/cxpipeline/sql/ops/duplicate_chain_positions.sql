-- A chain position (chain_id, chain_n) that two of a list's records share: none in a sound list.
-- Chain ids are handed out in the list's own id block, so a list's records are all that can
-- collide. Checked inside the ingest's transaction instead of by a unique index (see
-- contact_records.sql); an aggregate spills within DuckDB's memory bound, an index cannot.
SELECT chain_id, chain_n, count(*) AS records
FROM contact_records
WHERE list_name = $list_name
GROUP BY chain_id, chain_n
HAVING count(*) > 1
ORDER BY chain_id, chain_n
LIMIT 1;
