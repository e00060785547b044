-- How much a list holds: the identities it ever had (its registry), its current records, and
-- the highest chain and record ids of either (null when it has none). An ingest reads these
-- before it stages the list's rows, so it can stage only the rows its file needs.
SELECT
    (SELECT count(*) FROM record_identities WHERE list_name = $list_name) AS identities,
    (SELECT count(*) FROM contact_records WHERE list_name = $list_name) AS records,
    max(chain_id) AS chain_id,
    max(record_id) AS record_id
FROM (
    SELECT chain_id, record_id FROM record_identities WHERE list_name = $list_name
    UNION ALL
    SELECT chain_id, record_id FROM contact_records WHERE list_name = $list_name
);
