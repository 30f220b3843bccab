-- Every order the list of decision points offers is read from an index, so that a page costs
-- the same at any depth and any size of the log. A point without a deadline sorts last in
-- either direction; the expressions are the ones the store orders by, word for word.
CREATE INDEX decisions_live_deadline_idx
    ON decisions (COALESCE(deadline, '9999-12-31'), id) WHERE deleted_at IS NULL;
CREATE INDEX decisions_live_deadline_desc_idx
    ON decisions (COALESCE(deadline, '0001-01-01'), id) WHERE deleted_at IS NULL;
CREATE INDEX decisions_live_status_deadline_idx
    ON decisions (status, COALESCE(deadline, '9999-12-31'), id) WHERE deleted_at IS NULL;
-- The order by case (committee, case number, position) is kept on the point itself, so that
-- one index serves it; the store keeps it in step when a case is renumbered.
ALTER TABLE decisions ADD COLUMN case_committee TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN case_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE decisions ADD COLUMN case_serial INTEGER NOT NULL DEFAULT 0;
UPDATE decisions SET
    case_committee = (SELECT committees.code FROM cases JOIN committees ON committees.id = cases.committee_id
                      WHERE cases.id = decisions.case_id),
    case_year = (SELECT cases.case_year FROM cases WHERE cases.id = decisions.case_id),
    case_serial = (SELECT cases.case_serial FROM cases WHERE cases.id = decisions.case_id);
CREATE INDEX decisions_live_case_order_idx
    ON decisions (case_committee, case_year, case_serial, position_sort) WHERE deleted_at IS NULL;
-- An owner's points, found and joined from the index alone.
DROP INDEX decision_owners_owner_idx;
CREATE INDEX decision_owners_owner_decision_idx ON decision_owners (owner_id, decision_id);

-- The full-text index takes its text from a table keyed by an integer, so that replacing a
-- point's entry is a lookup by key, not a scan of the index (an FTS5 column cannot be indexed).
-- Triggers keep the index in step with the table.
DROP TABLE decision_search;
CREATE TABLE decision_search_docs (
    doc INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL UNIQUE REFERENCES decisions (id),
    body TEXT NOT NULL
);
CREATE VIRTUAL TABLE decision_search USING fts5(
    body,
    content = 'decision_search_docs',
    content_rowid = 'doc',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER decision_search_docs_inserted AFTER INSERT ON decision_search_docs BEGIN
    INSERT INTO decision_search (rowid, body) VALUES (new.doc, new.body);
END;
CREATE TRIGGER decision_search_docs_deleted AFTER DELETE ON decision_search_docs BEGIN
    INSERT INTO decision_search (decision_search, rowid, body) VALUES ('delete', old.doc, old.body);
END;
CREATE TRIGGER decision_search_docs_updated AFTER UPDATE ON decision_search_docs BEGIN
    INSERT INTO decision_search (decision_search, rowid, body) VALUES ('delete', old.doc, old.body);
    INSERT INTO decision_search (rowid, body) VALUES (new.doc, new.body);
END;
INSERT INTO decision_search_docs (decision_id, body)
    SELECT id, search_text FROM decisions WHERE deleted_at IS NULL;
