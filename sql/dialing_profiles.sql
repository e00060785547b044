-- Dialing profiles: dialing mode, pacing, contact hours and retries (campaigns.yaml).
-- Setting columns are NULL when this level does not set the key (it is inherited).
CREATE TABLE IF NOT EXISTS dialing_profiles (
    name                    VARCHAR PRIMARY KEY,
    is_default              BOOLEAN NOT NULL DEFAULT false,  -- exactly one row is true
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
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL  -- changes only when the declaration changes
);
