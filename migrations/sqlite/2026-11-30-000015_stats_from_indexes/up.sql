-- The dashboard's counts (/stats) by meeting and of points without an owner read what they
-- count from an index through the cases instead of from the points' rows, which hold their
-- texts. SQLite takes an index as covering only when every column the query names is in it,
-- so deleted_at is there too, though always null.
CREATE INDEX decisions_tally_by_case_idx
    ON decisions (case_id, status, deadline, is_public, id, deleted_at) WHERE deleted_at IS NULL;
