-- Each list's latest call: the completion estimates count the records finished in the 24 hours
-- before it, whichever slice of chains they are read in.
SELECT list_name, max(call_time_utc) AS _latest
FROM call_results
GROUP BY list_name;
