-- How many No Call records each list holds: counted before and after suppression is re-applied,
-- for the records it newly marked per list (a results load refreshes the statistics of those
-- lists).
SELECT list_name, count(*) AS no_call
FROM contact_records
WHERE record_type = 7
GROUP BY list_name;
