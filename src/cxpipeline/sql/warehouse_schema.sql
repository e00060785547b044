-- The schema this warehouse was last migrated to (one row): a connection whose code has the same
-- key skips the migration, so a command does not rewrite views and comments each time it runs.
CREATE TABLE IF NOT EXISTS warehouse_schema (
    schema_key  VARCHAR NOT NULL,         -- sha256 of the relations' DDL and descriptions
    migrated_at TIMESTAMPTZ NOT NULL
);
