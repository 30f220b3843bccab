-- Every order the list of decision points offers is read from an index, so that a page costs
-- the same at any depth and any size of the log. A point without a deadline sorts last in
-- either direction; the expressions are the ones the store orders by, word for word.
CREATE INDEX decisions_live_deadline_idx
    ON decisions ((COALESCE(deadline, '9999-12-31')), id) WHERE deleted_at IS NULL;
CREATE INDEX decisions_live_deadline_desc_idx
    ON decisions ((COALESCE(deadline, '0001-01-01')), id) WHERE deleted_at IS NULL;
CREATE INDEX decisions_live_status_deadline_idx
    ON decisions (status, (COALESCE(deadline, '9999-12-31')), id) WHERE deleted_at IS NULL;
-- The order by case (committee, case number, position) is kept on the point itself, so that
-- one index serves it; the store keeps it in step when a case is renumbered.
ALTER TABLE decisions ADD COLUMN case_committee TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN case_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE decisions ADD COLUMN case_serial INTEGER NOT NULL DEFAULT 0;
UPDATE decisions SET case_committee = committees.code, case_year = cases.case_year,
    case_serial = cases.case_serial
    FROM cases JOIN committees ON committees.id = cases.committee_id
    WHERE cases.id = decisions.case_id;
CREATE INDEX decisions_live_case_order_idx
    ON decisions (case_committee, case_year, case_serial, position_sort) WHERE deleted_at IS NULL;
-- An owner's points, found and joined from the index alone.
DROP INDEX decision_owners_owner_idx;
CREATE INDEX decision_owners_owner_decision_idx ON decision_owners (owner_id, decision_id);
