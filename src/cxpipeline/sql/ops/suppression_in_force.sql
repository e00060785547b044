-- Every suppression entry (expiry is checked against the planning time by the transform).
SELECT suppression_list, e164, client_id, expires_at
FROM suppression_entries;
