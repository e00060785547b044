-- One row per rejected input row or phone value, with the reason: nothing is silently dropped.
CREATE TABLE IF NOT EXISTS rejected_rows (
    run_id      VARCHAR NOT NULL,
    list_name   VARCHAR,                   -- null: a call result of an unknown record
    source_file VARCHAR NOT NULL,
    source_row  BIGINT,
    field       VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR,                   -- the offending text (phone values masked)
    kind        VARCHAR NOT NULL           -- row | phone | record | result | suppression
);
