CREATE OR REPLACE FUNCTION owner_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE decision_owners SET work_deadline =
        CASE WHEN NEW.status IN ('open', 'in_progress') AND NEW.deleted_at IS NULL
            THEN COALESCE(NEW.deadline, DATE '9999-12-31') END
    WHERE decision_id = NEW.id;
    RETURN NULL;
END $$;
