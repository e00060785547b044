-- Names of every contact list (plan: all lists by default).
SELECT name
FROM contact_lists
ORDER BY name;
