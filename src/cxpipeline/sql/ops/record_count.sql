-- How many records the warehouse holds (read from DuckDB's metadata: no scan).
SELECT count(*) AS records
FROM contact_records;
