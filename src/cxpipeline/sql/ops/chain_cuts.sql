-- The chain ids that cut the records of the chains with ids in [$lo, $hi) into slices of about
-- equal size ($fractions: the cut points as fractions of the records, e.g. [0.5] for two
-- slices). The statistics read and sum one slice of whole chains at a time.
SELECT quantile_disc(chain_id, $fractions::DOUBLE[]) AS cuts
FROM contact_records
WHERE chain_id >= $lo AND chain_id < $hi;
