-- How many records the chains with ids in [$lo, $hi) hold (the statistics cut them in slices).
SELECT count(*) AS records
FROM contact_records
WHERE chain_id >= $lo AND chain_id < $hi;
