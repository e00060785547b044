-- One row per compliance rule (jurisdiction × day set × version): seed CSV plus user overrides.
-- A version is all rows of one jurisdiction and purpose with the same effective_from; in force on
-- local dates effective_from <= d < effective_to (null = open). Empty start/end = no calls.
CREATE TABLE IF NOT EXISTS compliance_rules (
    jurisdiction          VARCHAR NOT NULL,   -- 'US' (federal), 'CAN' or a state/territory code
    purpose               VARCHAR NOT NULL DEFAULT 'all', -- campaign purpose it binds, or all
    days                  VARCHAR NOT NULL,   -- Mon-Sun, Mon-Fri, Sat, Sun, ...
    start_local           VARCHAR,            -- HH:MM in clock
    end_local             VARCHAR,            -- HH:MM in clock (up to 24:00)
    clock                 VARCHAR NOT NULL,   -- 'local' or a fixed IANA zone (Etc/GMT+6)
    holiday_ban           BOOLEAN NOT NULL,
    max_attempts          BIGINT,             -- calls per chain per attempt_window_hours
    attempt_window_hours  BIGINT,
    area_code_presumption BOOLEAN NOT NULL,
    effective_from        DATE NOT NULL,
    effective_to          DATE,               -- exclusive: first date no longer in force
    confidence            VARCHAR,
    source                VARCHAR,
    origin                VARCHAR NOT NULL,   -- seed CSV or overrides file
    origin_row            BIGINT NOT NULL     -- 1-based row or rule entry in origin
);
-- Warehouses created before purpose existed get the column too.
ALTER TABLE compliance_rules ADD COLUMN IF NOT EXISTS purpose VARCHAR DEFAULT 'all';
