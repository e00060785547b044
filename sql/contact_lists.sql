-- Contact lists: one campaign group each; overrides. list_id is stable and never reused
-- (a sequence, not max + 1): record_id = list_id * 10**10 + ordinal.
CREATE SEQUENCE IF NOT EXISTS contact_list_id_seq START 1;
-- Setting columns are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS contact_lists (
    list_id                 INTEGER NOT NULL UNIQUE DEFAULT nextval('contact_list_id_seq'),
    name                    VARCHAR PRIMARY KEY,
    campaign_group          VARCHAR NOT NULL,
    dialing_mode            VARCHAR,  -- predictive, progressive, preview, power, *_gvp, *_engaged
    optimization_method     VARCHAR,  -- busy_factor, overdial_rate, average_waiting_time, ...
    optimization_target     DOUBLE,  -- target value of the optimization method (> 0)
    max_attempts            INTEGER,  -- > 0
    retry_interval_minutes  INTEGER,  -- > 0
    stop_margin_minutes     INTEGER,  -- 0-240: no call starts later than window end minus this
    hours_mon               VARCHAR,  -- 'HH:MM-HH:MM' local time of the record, or 'closed'
    hours_tue               VARCHAR,
    hours_wed               VARCHAR,
    hours_thu               VARCHAR,
    hours_fri               VARCHAR,
    hours_sat               VARCHAR,
    hours_sun               VARCHAR,
    blackout_dates          VARCHAR,  -- comma-separated sorted ISO dates; '' = none
    default_country         VARCHAR,  -- ISO region for numbers without country code
    device_priority         VARCHAR,  -- 'input' or device types in order, e.g. 'mobile,home_phone'
    application             VARCHAR,
    trunk_group             VARCHAR,
    routing_point           VARCHAR,
    queue                   VARCHAR,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
