-- Open work (open or in progress) in deadline order, the order of the owner's list, the overdue
-- list and the follow-up list: SQLite cannot read two statuses from the status index in order,
-- and walking every point by deadline reads the done ones first. The store writes the
-- condition as it is written here, so that SQLite sees the index serves the query.
CREATE INDEX decisions_active_deadline_idx ON decisions (COALESCE(deadline, '9999-12-31'), id)
    WHERE deleted_at IS NULL AND status IN ('open', 'in_progress');
