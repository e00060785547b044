-- Every ingest run the warehouse knows: lake files of any other run are leftovers of a crash.
SELECT run_id
FROM ingest_runs
