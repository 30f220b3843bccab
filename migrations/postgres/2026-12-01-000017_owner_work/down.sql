DROP TRIGGER owner_work_changed ON decisions;
DROP FUNCTION owner_work_changed();
DROP TRIGGER owner_work_given ON decision_owners;
DROP FUNCTION owner_work_given();
DROP INDEX decision_owners_work_idx;
ALTER TABLE decision_owners DROP COLUMN work_deadline;
