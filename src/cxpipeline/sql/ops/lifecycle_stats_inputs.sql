-- Per list: the abandon-rate limit as a fraction and the planning as-of the lifecycle
-- statistics are taken at (the latest as-of of the list's windows, else now).
SELECT s.list_name,
       s.abandon_rate_limit_percent / 100.0 AS abandon_limit,
       coalesce((SELECT max(k.as_of) FROM window_keys AS k WHERE k.list_name = s.list_name),
                now()) AS as_of
FROM campaign_settings AS s;
