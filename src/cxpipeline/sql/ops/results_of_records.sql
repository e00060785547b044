-- Every stored result of the record ids registered as _result_records (a batch's records):
-- enough to number a batch's attempts and to know which of its results are already loaded.
SELECT c.*
FROM call_results AS c
WHERE c.record_id IN (SELECT record_id FROM _result_records);
