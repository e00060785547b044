-- Write the agent of a personal callback (registered as _state) back to contact_records.
UPDATE contact_records AS r
SET agent_id = s.agent_id
FROM _state AS s
WHERE r.record_id = s.record_id
  AND r.agent_id IS DISTINCT FROM s.agent_id;
