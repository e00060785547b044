-- Remove a contact list an interrupted ingest created: made at or after $since, and no run,
-- record or identity refers to it (a list declared in campaigns.yaml is older, so it stays).
DELETE FROM contact_lists AS l
WHERE l.name = $list_name
  AND l.created_at >= $since
  AND NOT EXISTS (SELECT 1 FROM ingest_runs AS r WHERE r.list_name = l.name)
  AND NOT EXISTS (SELECT 1 FROM contact_records AS c WHERE c.list_name = l.name)
  AND NOT EXISTS (SELECT 1 FROM record_identities AS i WHERE i.list_name = l.name)
