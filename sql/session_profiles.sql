-- Session profiles: the dialer's wiring (application, trunk group, routing point, queue).
-- Setting columns are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS session_profiles (
    name                    VARCHAR PRIMARY KEY,
    is_default              BOOLEAN NOT NULL DEFAULT false,  -- exactly one row is true
    application             VARCHAR,
    trunk_group             VARCHAR,
    routing_point           VARCHAR,
    queue                   VARCHAR,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
