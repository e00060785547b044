-- A list's last succeeded ingest (its run id and input key: a rerun of it is a no-op) and how
-- many ingests the list has had (the next run id is derived from it, so ids are reproducible).
SELECT
    (SELECT count(*) FROM ingest_runs WHERE list_name = $list_name) AS runs,
    run_id,
    input_key
FROM (SELECT 1) AS one
LEFT JOIN (
    SELECT run_id, input_key
    FROM ingest_runs
    WHERE list_name = $list_name AND status = 'succeeded'
    ORDER BY finished_at DESC, started_at DESC
    LIMIT 1
) AS last ON true;
