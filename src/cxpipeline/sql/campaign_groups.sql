-- Campaign groups: made from a template, worked by one agent group; overrides.
-- Setting columns (one per key of cxpipeline.campaigns.model.SETTINGS, made by campaigns/ddl.py
-- in place of the {{...}} line) are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS campaign_groups (
    name                    VARCHAR PRIMARY KEY,
    campaign_template       VARCHAR NOT NULL,
    agent_group             VARCHAR NOT NULL,
    {{setting_columns}}
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
