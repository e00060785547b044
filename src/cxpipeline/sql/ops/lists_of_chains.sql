-- The lists holding the chains registered as _chains: a results load re-applies suppression
-- and moves schedules into windows for those lists' records only. $lo and $hi are the least
-- and greatest of the chain ids (DuckDB then reads only the row groups of the range).
SELECT DISTINCT r.list_name
FROM contact_records AS r
WHERE r.chain_id BETWEEN $lo AND $hi
  AND r.chain_id IN (SELECT chain_id FROM _chains)
ORDER BY r.list_name;
