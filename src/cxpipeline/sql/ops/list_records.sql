-- The records of one list's chains with ids in [$lo, $hi): export reads a list one slice of
-- whole chains at a time and puts each in chain order itself (DuckDB sorting the wide rows took
-- twice as long as reading them).
SELECT *
FROM contact_records
WHERE list_name = $list_name AND chain_id >= $lo AND chain_id < $hi;
