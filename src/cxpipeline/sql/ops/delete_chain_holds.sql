-- Drop the attempt-cap holds of the chains registered as _chains, before they are recomputed.
DELETE FROM chain_holds WHERE chain_id IN (SELECT chain_id FROM _chains);
