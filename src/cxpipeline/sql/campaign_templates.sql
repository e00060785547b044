-- Campaign templates: their profiles and overrides of any setting.
-- Setting columns (one per key of cxpipeline.campaigns.model.SETTINGS, made by campaigns/ddl.py
-- in place of the {{...}} line) are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS campaign_templates (
    name                    VARCHAR PRIMARY KEY,
    dialing_profile         VARCHAR,  -- NULL: the default dialing profile
    session_profile         VARCHAR,  -- NULL: the default session profile
    {{setting_columns}}
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
