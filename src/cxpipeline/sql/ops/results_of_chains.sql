-- Every stored result of the current records of the chains registered as _chains.
SELECT c.*
FROM call_results AS c
WHERE c.record_id IN (
    SELECT record_id FROM contact_records WHERE chain_id IN (SELECT chain_id FROM _chains)
);
