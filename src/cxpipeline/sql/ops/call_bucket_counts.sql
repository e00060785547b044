-- For one list: how many results its block of chain ids [$lo, $hi) holds, how many of them its
-- call_buckets rows count, and how many rows they are. The rows are complete when the two
-- counts agree (steps/call_buckets.py); an ingest deletes them, so they never count a zone a
-- record no longer has.
SELECT (SELECT count(*) FROM call_results WHERE chain_id >= $lo AND chain_id < $hi) AS results,
       (SELECT coalesce(sum(attempts), 0) FROM call_buckets WHERE list_name = $list_name)
           AS counted,
       (SELECT count(*) FROM call_buckets WHERE list_name = $list_name) AS stored_rows;
