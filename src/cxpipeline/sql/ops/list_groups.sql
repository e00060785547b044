-- Every contact list with its campaign group (lists without records still get statistics).
SELECT name AS list_name, campaign_group
FROM contact_lists;
