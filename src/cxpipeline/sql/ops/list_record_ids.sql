-- The record ids a list holds now (what a replace keeps, adds and removes is counted on them).
SELECT record_id
FROM contact_records
WHERE list_name = $list_name;
