-- Dialing profiles: dialing mode, pacing, contact hours and retries (campaigns.yaml).
-- Setting columns (one per key of cxpipeline.campaigns.model.SETTINGS, made by campaigns/ddl.py
-- in place of the {{...}} line) are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS dialing_profiles (
    name                    VARCHAR PRIMARY KEY,
    is_default              BOOLEAN NOT NULL DEFAULT false,  -- exactly one row is true
    {{dialing_setting_columns}}
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
