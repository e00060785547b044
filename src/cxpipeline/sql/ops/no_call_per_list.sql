-- How many No Call records each list holds: a results load compares them before and after, to
-- find the other lists whose records its Do Not Call entries suppressed (their statistics move).
SELECT list_name, count(*) AS no_call
FROM contact_records
WHERE record_type = 7
GROUP BY list_name;
