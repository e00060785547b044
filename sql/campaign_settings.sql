-- Effective settings of every contact list, one row per list, and where each value came from.
-- Order: list -> group -> template -> the template's profile -> the default profile -> built-in
-- default (cxpipeline.campaigns.BUILTIN_DEFAULTS; a test checks both agree). <key>_source is
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
    COALESCE(
        l.dialing_mode, g.dialing_mode, t.dialing_mode, dp.dialing_mode, ddp.dialing_mode, 'predictive'
    ) AS dialing_mode,
    CASE WHEN l.dialing_mode IS NOT NULL THEN 'list'
         WHEN g.dialing_mode IS NOT NULL THEN 'group'
         WHEN t.dialing_mode IS NOT NULL THEN 'template'
         WHEN dp.dialing_mode IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.dialing_mode IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS dialing_mode_source,
    COALESCE(
        l.optimization_method, g.optimization_method, t.optimization_method, dp.optimization_method, ddp.optimization_method
    ) AS optimization_method,
    CASE WHEN l.optimization_method IS NOT NULL THEN 'list'
         WHEN g.optimization_method IS NOT NULL THEN 'group'
         WHEN t.optimization_method IS NOT NULL THEN 'template'
         WHEN dp.optimization_method IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.optimization_method IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE NULL END AS optimization_method_source,
    COALESCE(
        l.optimization_target, g.optimization_target, t.optimization_target, dp.optimization_target, ddp.optimization_target
    ) AS optimization_target,
    CASE WHEN l.optimization_target IS NOT NULL THEN 'list'
         WHEN g.optimization_target IS NOT NULL THEN 'group'
         WHEN t.optimization_target IS NOT NULL THEN 'template'
         WHEN dp.optimization_target IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.optimization_target IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE NULL END AS optimization_target_source,
    COALESCE(
        l.max_attempts, g.max_attempts, t.max_attempts, dp.max_attempts, ddp.max_attempts, 5
    ) AS max_attempts,
    CASE WHEN l.max_attempts IS NOT NULL THEN 'list'
         WHEN g.max_attempts IS NOT NULL THEN 'group'
         WHEN t.max_attempts IS NOT NULL THEN 'template'
         WHEN dp.max_attempts IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.max_attempts IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS max_attempts_source,
    COALESCE(
        l.retry_interval_minutes, g.retry_interval_minutes, t.retry_interval_minutes, dp.retry_interval_minutes, ddp.retry_interval_minutes, 60
    ) AS retry_interval_minutes,
    CASE WHEN l.retry_interval_minutes IS NOT NULL THEN 'list'
         WHEN g.retry_interval_minutes IS NOT NULL THEN 'group'
         WHEN t.retry_interval_minutes IS NOT NULL THEN 'template'
         WHEN dp.retry_interval_minutes IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.retry_interval_minutes IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS retry_interval_minutes_source,
    COALESCE(
        l.stop_margin_minutes, g.stop_margin_minutes, t.stop_margin_minutes, dp.stop_margin_minutes, ddp.stop_margin_minutes, 5
    ) AS stop_margin_minutes,
    CASE WHEN l.stop_margin_minutes IS NOT NULL THEN 'list'
         WHEN g.stop_margin_minutes IS NOT NULL THEN 'group'
         WHEN t.stop_margin_minutes IS NOT NULL THEN 'template'
         WHEN dp.stop_margin_minutes IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.stop_margin_minutes IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS stop_margin_minutes_source,
    COALESCE(
        l.hours_mon, g.hours_mon, t.hours_mon, dp.hours_mon, ddp.hours_mon, '09:00-20:00'
    ) AS hours_mon,
    CASE WHEN l.hours_mon IS NOT NULL THEN 'list'
         WHEN g.hours_mon IS NOT NULL THEN 'group'
         WHEN t.hours_mon IS NOT NULL THEN 'template'
         WHEN dp.hours_mon IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_mon IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_mon_source,
    COALESCE(
        l.hours_tue, g.hours_tue, t.hours_tue, dp.hours_tue, ddp.hours_tue, '09:00-20:00'
    ) AS hours_tue,
    CASE WHEN l.hours_tue IS NOT NULL THEN 'list'
         WHEN g.hours_tue IS NOT NULL THEN 'group'
         WHEN t.hours_tue IS NOT NULL THEN 'template'
         WHEN dp.hours_tue IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_tue IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_tue_source,
    COALESCE(
        l.hours_wed, g.hours_wed, t.hours_wed, dp.hours_wed, ddp.hours_wed, '09:00-20:00'
    ) AS hours_wed,
    CASE WHEN l.hours_wed IS NOT NULL THEN 'list'
         WHEN g.hours_wed IS NOT NULL THEN 'group'
         WHEN t.hours_wed IS NOT NULL THEN 'template'
         WHEN dp.hours_wed IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_wed IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_wed_source,
    COALESCE(
        l.hours_thu, g.hours_thu, t.hours_thu, dp.hours_thu, ddp.hours_thu, '09:00-20:00'
    ) AS hours_thu,
    CASE WHEN l.hours_thu IS NOT NULL THEN 'list'
         WHEN g.hours_thu IS NOT NULL THEN 'group'
         WHEN t.hours_thu IS NOT NULL THEN 'template'
         WHEN dp.hours_thu IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_thu IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_thu_source,
    COALESCE(
        l.hours_fri, g.hours_fri, t.hours_fri, dp.hours_fri, ddp.hours_fri, '09:00-20:00'
    ) AS hours_fri,
    CASE WHEN l.hours_fri IS NOT NULL THEN 'list'
         WHEN g.hours_fri IS NOT NULL THEN 'group'
         WHEN t.hours_fri IS NOT NULL THEN 'template'
         WHEN dp.hours_fri IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_fri IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_fri_source,
    COALESCE(
        l.hours_sat, g.hours_sat, t.hours_sat, dp.hours_sat, ddp.hours_sat, '09:00-20:00'
    ) AS hours_sat,
    CASE WHEN l.hours_sat IS NOT NULL THEN 'list'
         WHEN g.hours_sat IS NOT NULL THEN 'group'
         WHEN t.hours_sat IS NOT NULL THEN 'template'
         WHEN dp.hours_sat IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_sat IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_sat_source,
    COALESCE(
        l.hours_sun, g.hours_sun, t.hours_sun, dp.hours_sun, ddp.hours_sun, 'closed'
    ) AS hours_sun,
    CASE WHEN l.hours_sun IS NOT NULL THEN 'list'
         WHEN g.hours_sun IS NOT NULL THEN 'group'
         WHEN t.hours_sun IS NOT NULL THEN 'template'
         WHEN dp.hours_sun IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.hours_sun IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS hours_sun_source,
    COALESCE(
        l.blackout_dates, g.blackout_dates, t.blackout_dates, dp.blackout_dates, ddp.blackout_dates, ''
    ) AS blackout_dates,
    CASE WHEN l.blackout_dates IS NOT NULL THEN 'list'
         WHEN g.blackout_dates IS NOT NULL THEN 'group'
         WHEN t.blackout_dates IS NOT NULL THEN 'template'
         WHEN dp.blackout_dates IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.blackout_dates IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS blackout_dates_source,
    COALESCE(
        l.default_country, g.default_country, t.default_country, dp.default_country, ddp.default_country, 'US'
    ) AS default_country,
    CASE WHEN l.default_country IS NOT NULL THEN 'list'
         WHEN g.default_country IS NOT NULL THEN 'group'
         WHEN t.default_country IS NOT NULL THEN 'template'
         WHEN dp.default_country IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.default_country IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS default_country_source,
    COALESCE(
        l.device_priority, g.device_priority, t.device_priority, dp.device_priority, ddp.device_priority, 'input'
    ) AS device_priority,
    CASE WHEN l.device_priority IS NOT NULL THEN 'list'
         WHEN g.device_priority IS NOT NULL THEN 'group'
         WHEN t.device_priority IS NOT NULL THEN 'template'
         WHEN dp.device_priority IS NOT NULL THEN 'dialing_profile:' || dp.name
         WHEN ddp.device_priority IS NOT NULL THEN 'default_dialing_profile:' || ddp.name
         ELSE 'builtin' END AS device_priority_source,
    COALESCE(
        l.application, g.application, t.application, sp.application, dsp.application
    ) AS application,
    CASE WHEN l.application IS NOT NULL THEN 'list'
         WHEN g.application IS NOT NULL THEN 'group'
         WHEN t.application IS NOT NULL THEN 'template'
         WHEN sp.application IS NOT NULL THEN 'session_profile:' || sp.name
         WHEN dsp.application IS NOT NULL THEN 'default_session_profile:' || dsp.name
         ELSE NULL END AS application_source,
    COALESCE(
        l.trunk_group, g.trunk_group, t.trunk_group, sp.trunk_group, dsp.trunk_group
    ) AS trunk_group,
    CASE WHEN l.trunk_group IS NOT NULL THEN 'list'
         WHEN g.trunk_group IS NOT NULL THEN 'group'
         WHEN t.trunk_group IS NOT NULL THEN 'template'
         WHEN sp.trunk_group IS NOT NULL THEN 'session_profile:' || sp.name
         WHEN dsp.trunk_group IS NOT NULL THEN 'default_session_profile:' || dsp.name
         ELSE NULL END AS trunk_group_source,
    COALESCE(
        l.routing_point, g.routing_point, t.routing_point, sp.routing_point, dsp.routing_point
    ) AS routing_point,
    CASE WHEN l.routing_point IS NOT NULL THEN 'list'
         WHEN g.routing_point IS NOT NULL THEN 'group'
         WHEN t.routing_point IS NOT NULL THEN 'template'
         WHEN sp.routing_point IS NOT NULL THEN 'session_profile:' || sp.name
         WHEN dsp.routing_point IS NOT NULL THEN 'default_session_profile:' || dsp.name
         ELSE NULL END AS routing_point_source,
    COALESCE(l.queue, g.queue, t.queue, sp.queue, dsp.queue) AS queue,
    CASE WHEN l.queue IS NOT NULL THEN 'list'
         WHEN g.queue IS NOT NULL THEN 'group'
         WHEN t.queue IS NOT NULL THEN 'template'
         WHEN sp.queue IS NOT NULL THEN 'session_profile:' || sp.name
         WHEN dsp.queue IS NOT NULL THEN 'default_session_profile:' || dsp.name
         ELSE NULL END AS queue_source
FROM contact_lists AS l
LEFT JOIN campaign_groups AS g ON g.name = l.campaign_group
LEFT JOIN campaign_templates AS t ON t.name = g.campaign_template
LEFT JOIN dialing_profiles AS dp ON dp.name = t.dialing_profile
LEFT JOIN default_dialing AS ddp ON true
LEFT JOIN session_profiles AS sp ON sp.name = t.session_profile
LEFT JOIN default_session AS dsp ON true;
