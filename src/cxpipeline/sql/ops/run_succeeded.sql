-- Whether an ingest run with this id already succeeded (a rerun of the same input is a no-op).
SELECT count(*) AS runs
FROM ingest_runs
WHERE run_id = $run_id AND status = 'succeeded';
