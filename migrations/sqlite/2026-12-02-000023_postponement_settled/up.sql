-- Whether a case's postponement is known to be taken up: its latest live postponed_to link went
-- to a case that is decided and public, so that it waits for no reader. The follow-up list
-- reads a committee's postponed cases that are not, from an index, instead of testing every case
-- the committee ever postponed (at 1M points, 675 of ASU's: 4.4 ms of each list). Only a hint:
-- a case not settled is tested as before. Kept by the triggers below, which touch the case's
-- row without its version or time: it is not a change to the case.
ALTER TABLE cases ADD COLUMN postponement_settled BOOLEAN NOT NULL DEFAULT FALSE;

CREATE VIEW postponement_settlements AS
SELECT c.id AS case_id, COALESCE((
    SELECT target.status = 'decided' AND target.is_public
    FROM case_links l LEFT JOIN cases target ON target.id = l.target_case_id
    WHERE l.source_case_id = c.id AND l.kind = 'postponed_to' AND l.deleted_at IS NULL
    ORDER BY l.created_at DESC, l.id DESC LIMIT 1), FALSE) AS settled
FROM cases c;

UPDATE cases SET postponement_settled = (
    SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)
WHERE id IN (SELECT source_case_id FROM case_links WHERE kind = 'postponed_to');

CREATE TRIGGER postponement_link_added AFTER INSERT ON case_links
WHEN NEW.kind = 'postponed_to'
BEGIN
    UPDATE cases SET postponement_settled = (
        SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)
    WHERE id = NEW.source_case_id;
END;

CREATE TRIGGER postponement_link_changed AFTER UPDATE ON case_links
WHEN OLD.kind = 'postponed_to' OR NEW.kind = 'postponed_to'
BEGIN
    UPDATE cases SET postponement_settled = (
        SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)
    WHERE id IN (OLD.source_case_id, NEW.source_case_id);
END;

CREATE TRIGGER postponement_link_removed AFTER DELETE ON case_links
WHEN OLD.kind = 'postponed_to'
BEGIN
    UPDATE cases SET postponement_settled = (
        SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)
    WHERE id = OLD.source_case_id;
END;

-- A case that postponements went to is decided, reopened, hidden or shown.
CREATE TRIGGER postponement_target_changed AFTER UPDATE OF status, is_public ON cases
WHEN OLD.status IS NOT NEW.status OR OLD.is_public IS NOT NEW.is_public
BEGIN
    UPDATE cases SET postponement_settled = (
        SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)
    WHERE id IN (SELECT source_case_id FROM case_links
        WHERE target_case_id = NEW.id AND kind = 'postponed_to');
END;

-- A committee's cases by status, and its postponed cases that may still wait.
DROP INDEX cases_status_idx;
CREATE INDEX cases_status_idx ON cases (committee_id, status, postponement_settled)
WHERE deleted_at IS NULL;

-- A page's owners, in order, from the index alone.
CREATE INDEX decision_owners_listing_idx
    ON decision_owners (decision_id, ordinal, owner_id, responsible);
