-- One row per contact list whose record state was last rebuilt in full: the key of what that
-- state depends on besides the list's records and results (effective settings, compliance
-- rules, the home's window defaults, zone and holiday data, lifecycle code). A plan rebuilds the state only when the key changed.
CREATE TABLE IF NOT EXISTS state_inputs (
    list_name  VARCHAR PRIMARY KEY,
    inputs_key VARCHAR NOT NULL,          -- sha256 of those inputs (steps.state_inputs.inputs_keys)
    rebuilt_at TIMESTAMPTZ NOT NULL       -- as-of of the rebuild
);
