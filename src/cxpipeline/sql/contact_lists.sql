-- Contact lists: one campaign group each; overrides. list_id is stable and never reused
-- (a sequence, not max + 1): record_id = list_id * 10**10 + ordinal.
CREATE SEQUENCE IF NOT EXISTS contact_list_id_seq START 1;
-- Setting columns (one per key of cxpipeline.campaigns.model.SETTINGS, made by campaigns/ddl.py
-- in place of the {{...}} line) are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS contact_lists (
    list_id                 INTEGER NOT NULL UNIQUE DEFAULT nextval('contact_list_id_seq'),
    name                    VARCHAR PRIMARY KEY,
    campaign_group          VARCHAR NOT NULL,
    {{setting_columns}}
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
