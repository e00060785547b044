-- The entries suppression list $suppression_list holds already for the numbers or client ids
-- registered as _new_entries: a results load adds only the Do Not Call entries not held yet,
-- reading the few that may match, not the whole list (which grows with every load).
SELECT e164, client_id
FROM suppression_entries
WHERE suppression_list = $suppression_list
  AND (e164 IN (SELECT e164 FROM _new_entries)
       OR client_id IN (SELECT client_id FROM _new_entries));
