DROP INDEX decision_owners_listing_idx;
DROP INDEX cases_status_idx;
CREATE INDEX cases_status_idx ON cases (committee_id, status) WHERE deleted_at IS NULL;
DROP TRIGGER postponement_target_changed ON cases;
DROP FUNCTION postponement_target_trigger();
DROP TRIGGER postponement_link_changed ON case_links;
DROP FUNCTION postponement_link_trigger();
DROP FUNCTION postponement_settled_of(TEXT);
ALTER TABLE cases DROP COLUMN postponement_settled;
