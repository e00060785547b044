-- One row per window key and calling window of the planning horizon (transforms/windows.py).
-- Records share few keys (candidate zones, states, campaign hours); dialable_windows joins them.
CREATE TABLE IF NOT EXISTS window_keys (
    list_name        VARCHAR NOT NULL,
    window_key       UBIGINT NOT NULL,
    window_start_utc TIMESTAMPTZ NOT NULL,   -- inclusive
    window_end_utc   TIMESTAMPTZ NOT NULL,   -- exclusive: no call starts at or after it
    start_rule       VARCHAR NOT NULL,       -- rule that bounds the start, e.g. 'state:CT'
    end_rule         VARCHAR NOT NULL,       -- e.g. 'stop_margin:federal'
    rule             VARCHAR NOT NULL,       -- '<start_rule>..<end_rule>'
    as_of            TIMESTAMPTZ             -- horizon start the windows were planned from
);
