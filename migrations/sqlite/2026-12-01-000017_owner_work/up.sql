-- An owner's open work in deadline order, read from an index of its own: each owner's row
-- carries its point's deadline as the list sorts it (none last) while the point is open or in
-- progress, and nothing otherwise. A page of one owner's open points is then a range of this
-- index, whatever the size of the log or the owner's share of it. Triggers keep the column in
-- step with the point, for every writer.
ALTER TABLE decision_owners ADD COLUMN work_deadline DATE;

UPDATE decision_owners SET work_deadline = (
    SELECT CASE WHEN d.status IN ('open', 'in_progress') AND d.deleted_at IS NULL
        THEN COALESCE(d.deadline, '9999-12-31') END
    FROM decisions d WHERE d.id = decision_owners.decision_id);

CREATE INDEX decision_owners_work_idx ON decision_owners (owner_id, work_deadline, decision_id)
WHERE work_deadline IS NOT NULL;

CREATE TRIGGER owner_work_given AFTER INSERT ON decision_owners
BEGIN
    UPDATE decision_owners SET work_deadline = (
        SELECT CASE WHEN d.status IN ('open', 'in_progress') AND d.deleted_at IS NULL
            THEN COALESCE(d.deadline, '9999-12-31') END
        FROM decisions d WHERE d.id = NEW.decision_id)
    WHERE decision_id = NEW.decision_id AND owner_id = NEW.owner_id;
END;

CREATE TRIGGER owner_work_changed AFTER UPDATE ON decisions
WHEN OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE decision_owners SET work_deadline =
        CASE WHEN NEW.status IN ('open', 'in_progress') AND NEW.deleted_at IS NULL
            THEN COALESCE(NEW.deadline, '9999-12-31') END
    WHERE decision_id = NEW.id;
END;
