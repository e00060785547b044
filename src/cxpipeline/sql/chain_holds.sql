-- One row per chain held back by an attempt cap (e.g. 3 calls per rolling 24 h in FL, OK, MD):
-- none of the chain's records may be dialed before hold_until_utc.
CREATE TABLE IF NOT EXISTS chain_holds (
    list_name      VARCHAR NOT NULL,
    chain_id       BIGINT NOT NULL,
    hold_until_utc TIMESTAMPTZ NOT NULL,
    rule           VARCHAR NOT NULL          -- e.g. 'attempt_cap:FL'
);
