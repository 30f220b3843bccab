DROP TRIGGER tally_owner_moved;
DROP TRIGGER tally_owner_taken;
DROP TRIGGER tally_owner_given;
DROP TRIGGER tally_case_deleted;
DROP TRIGGER tally_case_updated;
DROP TRIGGER tally_case_leaving;
DROP TRIGGER tally_point_deleted;
DROP TRIGGER tally_point_updated;
DROP TRIGGER tally_point_leaving;
DROP TRIGGER tally_point_inserted;
DROP VIEW point_tallies;
DROP TABLE owner_tallies;
DROP TABLE meeting_tallies;
CREATE INDEX decisions_tally_by_case_idx
    ON decisions (case_id, status, deadline, is_public, id, deleted_at) WHERE deleted_at IS NULL;
