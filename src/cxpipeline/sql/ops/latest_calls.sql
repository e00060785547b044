-- Each list's latest call: the completion estimates count the records finished in the 24 hours
-- before it, whichever slice of chains they are read in. Only the chains with ids in
-- [$lo, $hi) (the lists' blocks of ids a refresh reads).
SELECT list_name, max(call_time_utc) AS _latest
FROM call_results
WHERE chain_id >= $lo AND chain_id < $hi
GROUP BY list_name;
