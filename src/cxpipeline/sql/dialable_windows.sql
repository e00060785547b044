-- One row per record and calling window: the windows of the record's key, starting no earlier
-- than its chain's attempt-cap hold. No Call records (record_type 7) have no windows.
CREATE OR REPLACE VIEW dialable_windows AS
SELECT
    r.list_name,
    r.record_id,
    r.chain_id,
    greatest(k.window_start_utc, coalesce(h.hold_until_utc, k.window_start_utc)) AS window_start_utc,
    k.window_end_utc,
    CASE WHEN h.hold_until_utc > k.window_start_utc THEN h.rule ELSE k.start_rule END AS start_rule,
    k.end_rule,
    CASE WHEN h.hold_until_utc > k.window_start_utc THEN h.rule || '..' || k.end_rule
         ELSE k.rule END AS rule,
    r.window_key
FROM contact_records AS r
JOIN window_keys AS k
  ON k.list_name = r.list_name AND k.window_key = r.window_key
LEFT JOIN (
    -- one hold per chain even if several caps apply: the latest one binds
    SELECT list_name, chain_id, max(hold_until_utc) AS hold_until_utc,
           arg_max(rule, hold_until_utc) AS rule
    FROM chain_holds
    GROUP BY list_name, chain_id
) AS h
  ON h.list_name = r.list_name AND h.chain_id = r.chain_id
WHERE r.record_type IS DISTINCT FROM 7
  AND (h.hold_until_utc IS NULL OR k.window_end_utc > h.hold_until_utc);
