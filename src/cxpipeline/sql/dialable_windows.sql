-- One row per record still to be worked and calling window: the windows of the record's key,
-- cut so none starts before its dial_sched_time (rule 'scheduled') or its chain's attempt-cap
-- hold (e.g. 'attempt_cap:FL'), whichever is later. No Call records (record_type 7) and
-- finished (status 3 Updated, also at max_attempts), cancelled (5) and chain-updated (7)
-- records have no windows.
CREATE OR REPLACE VIEW dialable_windows AS
WITH holds AS (
    -- one hold per chain even if several caps apply: the latest one binds
    SELECT list_name, chain_id, max(hold_until_utc) AS hold_until_utc,
           arg_max(rule, hold_until_utc) AS rule
    FROM chain_holds
    GROUP BY list_name, chain_id
),
working AS (
    SELECT r.list_name, r.record_id, r.chain_id, r.window_key,
           CASE WHEN r.dial_sched_time IS NOT NULL
                THEN to_timestamp(r.dial_sched_time) END AS sched_utc,
           h.hold_until_utc, h.rule AS hold_rule
    FROM contact_records AS r
    LEFT JOIN holds AS h
      ON h.list_name = r.list_name AND h.chain_id = r.chain_id
    WHERE r.record_type IS DISTINCT FROM 7
      AND r.record_status NOT IN (3, 5, 7)
),
cuts AS (
    SELECT *,
           CASE WHEN sched_utc IS NULL THEN hold_until_utc
                WHEN hold_until_utc IS NULL THEN sched_utc
                ELSE greatest(sched_utc, hold_until_utc) END AS cut_utc,
           CASE WHEN sched_utc IS NULL OR hold_until_utc >= sched_utc THEN hold_rule
                ELSE 'scheduled' END AS cut_rule
    FROM working
)
SELECT
    c.list_name,
    c.record_id,
    c.chain_id,
    greatest(k.window_start_utc, coalesce(c.cut_utc, k.window_start_utc)) AS window_start_utc,
    k.window_end_utc,
    CASE WHEN c.cut_utc > k.window_start_utc THEN c.cut_rule ELSE k.start_rule END AS start_rule,
    k.end_rule,
    CASE WHEN c.cut_utc > k.window_start_utc THEN c.cut_rule || '..' || k.end_rule
         ELSE k.rule END AS rule,
    c.window_key
FROM cuts AS c
JOIN window_keys AS k
  ON k.list_name = c.list_name AND k.window_key = c.window_key
WHERE c.cut_utc IS NULL OR k.window_end_utc > c.cut_utc;
