DROP INDEX decision_owners_listing_idx;
DROP INDEX cases_status_idx;
CREATE INDEX cases_status_idx ON cases (committee_id, status) WHERE deleted_at IS NULL;
DROP TRIGGER postponement_target_changed;
DROP TRIGGER postponement_link_removed;
DROP TRIGGER postponement_link_changed;
DROP TRIGGER postponement_link_added;
DROP VIEW postponement_settlements;
ALTER TABLE cases DROP COLUMN postponement_settled;
