-- Whether a case's postponement is known to be taken up: its latest live postponed_to link went
-- to a case that is decided and public, so that it waits for no reader. The follow-up list
-- reads a committee's postponed cases that are not, from an index, instead of testing every case
-- the committee ever postponed (at 1M points, 675 of ASU's). Only a hint: a case not settled is
-- tested as before. Kept by the triggers below, which touch the case's row without its version
-- or time: it is not a change to the case.
ALTER TABLE cases ADD COLUMN postponement_settled BOOLEAN NOT NULL DEFAULT FALSE;

CREATE FUNCTION postponement_settled_of(TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT COALESCE((
        SELECT target.status = 'decided' AND target.is_public
        FROM case_links l LEFT JOIN cases target ON target.id = l.target_case_id
        WHERE l.source_case_id = $1 AND l.kind = 'postponed_to' AND l.deleted_at IS NULL
        ORDER BY l.created_at DESC, l.id DESC LIMIT 1), FALSE)
$$;

UPDATE cases SET postponement_settled = postponement_settled_of(id)
WHERE id IN (SELECT source_case_id FROM case_links WHERE kind = 'postponed_to');

CREATE FUNCTION postponement_link_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.kind = 'postponed_to' THEN
        UPDATE cases SET postponement_settled = postponement_settled_of(id)
        WHERE id = OLD.source_case_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind = 'postponed_to' THEN
        UPDATE cases SET postponement_settled = postponement_settled_of(id)
        WHERE id = NEW.source_case_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER postponement_link_changed AFTER INSERT OR UPDATE OR DELETE ON case_links
FOR EACH ROW EXECUTE FUNCTION postponement_link_trigger();

-- A case that postponements went to is decided, reopened, hidden or shown.
CREATE FUNCTION postponement_target_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET postponement_settled = postponement_settled_of(id)
    WHERE id IN (SELECT source_case_id FROM case_links
        WHERE target_case_id = NEW.id AND kind = 'postponed_to');
    RETURN NULL;
END $$;

CREATE TRIGGER postponement_target_changed AFTER UPDATE OF status, is_public ON cases
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.is_public IS DISTINCT FROM NEW.is_public)
EXECUTE FUNCTION postponement_target_trigger();

-- A committee's cases by status, and its postponed cases that may still wait.
DROP INDEX cases_status_idx;
CREATE INDEX cases_status_idx ON cases (committee_id, status, postponement_settled)
WHERE deleted_at IS NULL;

-- A page's owners, in order, from the index alone.
CREATE INDEX decision_owners_listing_idx
    ON decision_owners (decision_id, ordinal, owner_id, responsible);
