-- The number of records and the chain ids that cut them into slices of about equal size
-- ($fractions: the cut points as fractions of the records, e.g. [0.5] for two slices; none for
-- one). The statistics read and sum one slice of whole chains at a time.
SELECT count(*) AS records,
       coalesce(quantile_disc(chain_id, $fractions::DOUBLE[]), []) AS cuts
FROM contact_records;
