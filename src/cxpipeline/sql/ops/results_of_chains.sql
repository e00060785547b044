-- Every stored result of the current records of the chains registered as _chains. $lo and $hi
-- bound those chain ids, $first and $last the records' ids (a redundant range, exact): each
-- load inserts its results in record id order, so DuckDB skips the row groups outside it
-- instead of scanning every result of the warehouse in every pass.
SELECT c.*
FROM call_results AS c
WHERE c.record_id BETWEEN $first AND $last
  AND c.record_id IN (
      SELECT record_id FROM contact_records
      WHERE chain_id BETWEEN $lo AND $hi AND chain_id IN (SELECT chain_id FROM _chains)
  );
