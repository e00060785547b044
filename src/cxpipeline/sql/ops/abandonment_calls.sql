-- Call attempts per campaign group, list and call result over the 30 days up to the group's
-- last call, that call included: what transforms.ops_stats.abandonment_30d rates, counted
-- where the results are stored (ops_stats.abandonment_counts counts the same from a frame).
-- $hours is the window (30 days of 24 hours: exact microseconds, not calendar days). The
-- group's last call comes from a grouped join: a window function over every call took 4x.
-- $groups: only those campaign groups (NULL: every group).
WITH groups AS (
    SELECT name AS list_name, campaign_group
    FROM contact_lists
    WHERE $groups::VARCHAR[] IS NULL OR list_contains($groups::VARCHAR[], campaign_group)
),
ends AS (
    SELECT g.campaign_group, max(r.call_time_utc) AS window_end_utc
    FROM call_results AS r
    JOIN groups AS g ON g.list_name = r.list_name
    GROUP BY g.campaign_group
)
SELECT g.campaign_group,
       r.list_name,
       CAST(r.call_result AS BIGINT) AS call_result,
       e.window_end_utc,
       count(*) AS attempts
FROM call_results AS r
JOIN groups AS g ON g.list_name = r.list_name
JOIN ends AS e ON e.campaign_group = g.campaign_group
WHERE r.call_time_utc > e.window_end_utc - to_hours(CAST($hours AS BIGINT))
GROUP BY g.campaign_group, r.list_name, r.call_result, e.window_end_utc;
