-- Effective settings of every contact list, one row per list, and where each value came from.
-- Order: list -> group -> template -> the template's profile -> the default profile -> built-in
-- default (the default of each key of cxpipeline.campaigns.model.SETTINGS). The {{...}} line
-- becomes, per key, its COALESCE over these levels and its <key>_source (campaigns/ddl.py):
-- 'list', 'group', 'template', 'dialing_profile:<name>', 'session_profile:<name>',
-- 'default_dialing_profile:<name>', 'default_session_profile:<name>', 'builtin', or NULL when
-- nothing sets the key.
CREATE OR REPLACE VIEW campaign_settings AS
WITH default_dialing AS (
    -- LIMIT 1: one row per list even if a hand edit ever left two defaults.
    SELECT * FROM dialing_profiles WHERE is_default ORDER BY name LIMIT 1
), default_session AS (
    SELECT * FROM session_profiles WHERE is_default ORDER BY name LIMIT 1
)
SELECT
    l.name AS list_name,
    l.list_id,
    l.campaign_group,
    g.campaign_template,
    g.agent_group,
    COALESCE(t.dialing_profile, ddp.name) AS dialing_profile,
    CASE WHEN t.dialing_profile IS NOT NULL THEN 'template'
         WHEN ddp.name IS NOT NULL THEN 'default' END AS dialing_profile_source,
    COALESCE(t.session_profile, dsp.name) AS session_profile,
    CASE WHEN t.session_profile IS NOT NULL THEN 'template'
         WHEN dsp.name IS NOT NULL THEN 'default' END AS session_profile_source,
    {{effective_settings}}
FROM contact_lists AS l
LEFT JOIN campaign_groups AS g ON g.name = l.campaign_group
LEFT JOIN campaign_templates AS t ON t.name = g.campaign_template
LEFT JOIN dialing_profiles AS dp ON dp.name = t.dialing_profile
LEFT JOIN default_dialing AS ddp ON true
LEFT JOIN session_profiles AS sp ON sp.name = t.session_profile
LEFT JOIN default_session AS dsp ON true;
