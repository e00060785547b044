-- Rejected rows and phone values per list, run, kind and reason: what to fix in the source file.
CREATE OR REPLACE VIEW rejection_summary AS
SELECT list_name,
       run_id,
       kind,
       field,
       reason,
       count(*) AS rejected
FROM rejected_rows
GROUP BY ALL;
