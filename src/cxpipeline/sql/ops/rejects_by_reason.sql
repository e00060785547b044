-- Rejects of the given runs by list, kind and reason (a run's digest; no raw values).
SELECT coalesce(list_name, '(unknown)') AS list_name, kind, reason, count(*) AS rejected
FROM rejected_rows
WHERE list_contains($run_ids, run_id)
GROUP BY ALL
ORDER BY list_name, rejected DESC, reason;
