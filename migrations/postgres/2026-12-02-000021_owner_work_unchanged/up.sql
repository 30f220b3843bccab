-- A status change within open work (open -> in progress, and back) leaves an owner's row of
-- the point as it is: the trigger wrote every owner's row, and the owner's index of open work,
-- for nothing, inside the single writer's turn.
CREATE OR REPLACE FUNCTION owner_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    work DATE := CASE WHEN NEW.status IN ('open', 'in_progress') AND NEW.deleted_at IS NULL
        THEN COALESCE(NEW.deadline, DATE '9999-12-31') END;
BEGIN
    UPDATE decision_owners SET work_deadline = work
    WHERE decision_id = NEW.id AND work_deadline IS DISTINCT FROM work;
    RETURN NULL;
END $$;
