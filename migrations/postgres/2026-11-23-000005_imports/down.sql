DROP TABLE imported_values;
DROP TABLE imports;
DELETE FROM decision_owners WHERE decision_id IN (SELECT id FROM decisions WHERE status = 'proposed');
DELETE FROM decisions WHERE status = 'proposed';
ALTER TABLE decisions DROP CONSTRAINT decisions_status_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('open', 'in_progress', 'done', 'cancelled'));
