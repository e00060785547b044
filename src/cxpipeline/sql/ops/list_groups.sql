-- Every contact list with its campaign group (lists without records still get statistics) and
-- its id (the list's block of chain and record ids: transforms.chains.id_block).
SELECT name AS list_name, campaign_group, list_id
FROM contact_lists;
