-- Follow-ups across meetings: the narrative of a case, and links proposed from references
-- found in the texts ("vedtak 31/23", "Saken utsettes til ASU-møte 19.06.24").

-- What the documents say about the case (saksfremlegg, referat, innspill), searched for
-- references to other cases.
ALTER TABLE cases ADD COLUMN narrative TEXT;

-- A link proposed from a reference in a case's texts. The target is a case by number, or a
-- meeting by date (for "utsettes til ASU-møte 19.06.24"), then resolved to one of its cases.
-- An editor accepts it (a link is made) or rejects it (it is not proposed again).
CREATE TABLE link_proposals (
    id TEXT PRIMARY KEY NOT NULL,
    source_case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('follows_up', 'postponed_to', 'refers_to')),
    target_committee_id TEXT NOT NULL REFERENCES committees (id),
    target_year INTEGER,
    target_serial INTEGER,
    target_meeting_date DATE,
    matched_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected')),
    link_id TEXT REFERENCES case_links (id),
    created_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP
);
CREATE INDEX link_proposals_source_idx ON link_proposals (source_case_id);
CREATE INDEX link_proposals_status_idx ON link_proposals (status, created_at);
-- One proposal for each target of a case, whatever became of it.
CREATE UNIQUE INDEX link_proposals_target_idx ON link_proposals (
    source_case_id, target_committee_id, COALESCE(target_year, 0), COALESCE(target_serial, 0),
    COALESCE(target_meeting_date, '1900-01-01')
);

-- The chain of a matter walks these links.
CREATE INDEX case_links_kind_idx ON case_links (kind);
