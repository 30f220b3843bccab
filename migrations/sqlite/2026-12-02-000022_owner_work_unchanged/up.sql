-- A status change within open work (open -> in progress, and back) leaves an owner's row of
-- the point as it is: the trigger wrote every owner's row, and the owner's index of open work,
-- for nothing, inside the single writer's turn.
DROP TRIGGER owner_work_changed;

CREATE TRIGGER owner_work_changed AFTER UPDATE ON decisions
WHEN OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE decision_owners SET work_deadline =
        CASE WHEN NEW.status IN ('open', 'in_progress') AND NEW.deleted_at IS NULL
            THEN COALESCE(NEW.deadline, '9999-12-31') END
    WHERE decision_id = NEW.id
        AND work_deadline IS NOT CASE WHEN NEW.status IN ('open', 'in_progress')
            AND NEW.deleted_at IS NULL THEN COALESCE(NEW.deadline, '9999-12-31') END;
END;
