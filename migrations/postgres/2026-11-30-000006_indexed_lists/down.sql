DROP INDEX decision_owners_owner_decision_idx;
CREATE INDEX decision_owners_owner_idx ON decision_owners (owner_id);
DROP INDEX decisions_live_case_order_idx;
ALTER TABLE decisions DROP COLUMN case_serial;
ALTER TABLE decisions DROP COLUMN case_year;
ALTER TABLE decisions DROP COLUMN case_committee;
DROP INDEX decisions_live_status_deadline_idx;
DROP INDEX decisions_live_deadline_desc_idx;
DROP INDEX decisions_live_deadline_idx;
