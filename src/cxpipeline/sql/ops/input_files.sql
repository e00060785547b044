-- Every file an ingest read (the path the user gave): outputs must never be written over one.
SELECT DISTINCT original_file AS path
FROM ingest_runs
WHERE original_file IS NOT NULL
