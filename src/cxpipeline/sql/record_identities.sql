-- The identity registry: every (person, number, extension) a list ever had and the ids it got.
-- Rows are never deleted, so a record keeps its id across refreshed files (replace or append,
-- rows in any order) and an id is never handed to someone else (docs/contract.md, a list's life).
CREATE TABLE IF NOT EXISTS record_identities (
    list_name     VARCHAR NOT NULL,
    chain_key     VARCHAR NOT NULL,          -- the person: client id, else the chain key columns
    e164          VARCHAR NOT NULL,
    extension     VARCHAR,
    record_id     BIGINT NOT NULL UNIQUE,
    chain_id      BIGINT NOT NULL,
    first_run_id  VARCHAR NOT NULL,          -- the ingest run that first gave this id
    first_seen_at TIMESTAMPTZ NOT NULL
);
