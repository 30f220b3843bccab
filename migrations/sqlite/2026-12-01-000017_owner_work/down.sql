DROP TRIGGER owner_work_changed;
DROP TRIGGER owner_work_given;
DROP INDEX decision_owners_work_idx;
ALTER TABLE decision_owners DROP COLUMN work_deadline;
