-- Session profiles: the dialer's wiring (application, trunk group, routing point, queue).
-- Deliberate repetition: the same frame of columns as dialing_profiles (one table per kind).
-- Setting columns (one per key of cxpipeline.campaigns.model.SETTINGS, made by campaigns/ddl.py
-- in place of the {{...}} line) are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS session_profiles (
    name                    VARCHAR PRIMARY KEY,
    is_default              BOOLEAN NOT NULL DEFAULT false,  -- exactly one row is true
    {{session_setting_columns}}
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
