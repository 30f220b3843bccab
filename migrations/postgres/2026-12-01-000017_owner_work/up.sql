-- An owner's open work in deadline order, read from an index of its own: each owner's row
-- carries its point's deadline as the list sorts it (none last) while the point is open or in
-- progress, and nothing otherwise. A page of one owner's open points is then a range of this
-- index, whatever the size of the log or the owner's share of it. Triggers keep the column in
-- step with the point, for every writer.
ALTER TABLE decision_owners ADD COLUMN work_deadline DATE;

UPDATE decision_owners o SET work_deadline = COALESCE(d.deadline, DATE '9999-12-31')
FROM decisions d
WHERE d.id = o.decision_id AND d.status IN ('open', 'in_progress') AND d.deleted_at IS NULL;

CREATE INDEX decision_owners_work_idx ON decision_owners (owner_id, work_deadline, decision_id)
WHERE work_deadline IS NOT NULL;

CREATE FUNCTION owner_work_given() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.work_deadline := (
        SELECT CASE WHEN d.status IN ('open', 'in_progress') AND d.deleted_at IS NULL
            THEN COALESCE(d.deadline, DATE '9999-12-31') END
        FROM decisions d WHERE d.id = NEW.decision_id);
    RETURN NEW;
END $$;

CREATE TRIGGER owner_work_given BEFORE INSERT ON decision_owners
FOR EACH ROW EXECUTE FUNCTION owner_work_given();

CREATE FUNCTION owner_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE decision_owners SET work_deadline =
        CASE WHEN NEW.status IN ('open', 'in_progress') AND NEW.deleted_at IS NULL
            THEN COALESCE(NEW.deadline, DATE '9999-12-31') END
    WHERE decision_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER owner_work_changed AFTER UPDATE ON decisions
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.deadline IS DISTINCT FROM NEW.deadline
    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
EXECUTE FUNCTION owner_work_changed();
