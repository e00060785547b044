-- Each record's call results summed up in one row (per list, record and chain): attempts,
-- connects, the connects' talk time and the last call. The list, zone, lifecycle and
-- completion statistics need only these, so the results themselves never travel to Polars.
-- transforms.result_summaries.per_record computes the same from a frame; $answer is the
-- code of a connect (33 Answer). Only the chains with ids in [$lo, $hi) (a result carries its
-- record's chain id, which a record keeps for life): one slice of whole chains at a time.
SELECT list_name,
       record_id,
       chain_id,
       count(*) AS attempts,
       count(*) FILTER (WHERE call_result = $answer) AS connects,
       CAST(coalesce(sum(duration_s) FILTER (WHERE call_result = $answer), 0) AS DOUBLE)
           AS answer_talk_s,
       max(call_time_utc) AS last_call_utc
FROM call_results
WHERE chain_id >= $lo AND chain_id < $hi
GROUP BY list_name, record_id, chain_id;
