-- The dashboard (/stats) counts from tallies that the database keeps as points change, so
-- that its first answer after a change costs the same on a log of a million points as of 200
-- (a pass over the log took seconds at 1M). Triggers keep them, so that every write (the
-- API, the pages, the importer) counts alike and none can forget to.
--
-- A point counts under its meeting, its status, the deadline of its open work and whether the
-- public may see it; `deadline` is '9999-12-31' for a point that cannot be overdue or due
-- (not open work, or no deadline), as a key cannot hold NULL. `owned`: the point has an owner
-- (the dashboard's "Uten ansvarlig" counts the points that have none).
CREATE TABLE meeting_tallies (
    meeting_id TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline DATE NOT NULL,
    is_public BOOLEAN NOT NULL,
    owned BOOLEAN NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, status, owned, deadline, is_public)
) WITHOUT ROWID;

-- The same per owner: a point with several owners counts for each.
CREATE TABLE owner_tallies (
    owner_id TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline DATE NOT NULL,
    is_public BOOLEAN NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (owner_id, status, meeting_id, deadline, is_public)
) WITHOUT ROWID;

-- What a point counts as, while it counts (neither it nor its case deleted).
CREATE VIEW point_tallies AS
SELECT decisions.id AS decision_id,
       decisions.case_id AS case_id,
       cases.meeting_id AS meeting_id,
       decisions.status AS status,
       CASE WHEN decisions.status IN ('open', 'in_progress') AND decisions.deadline IS NOT NULL
            THEN decisions.deadline ELSE '9999-12-31' END AS deadline,
       decisions.is_public AND cases.is_public AS is_public,
       EXISTS (SELECT 1 FROM decision_owners WHERE decision_owners.decision_id = decisions.id)
           AS owned
FROM decisions JOIN cases ON cases.id = decisions.case_id
WHERE decisions.deleted_at IS NULL AND cases.deleted_at IS NULL;

INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
SELECT meeting_id, status, deadline, is_public, owned, count(*)
FROM point_tallies GROUP BY meeting_id, status, deadline, is_public, owned;

INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, count(*)
FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public;

-- Each trigger takes a point's count away under what it counted as before a change (BEFORE)
-- and adds it under what it counts as after (AFTER). SQLite's upsert needs the WHERE in its
-- SELECT to parse.

-- A point added, changed in what it counts as, or removed.
CREATE TRIGGER tally_point_inserted AFTER INSERT ON decisions
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, 1
    FROM point_tallies WHERE decision_id = NEW.id
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, 1
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.decision_id = NEW.id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_point_leaving BEFORE UPDATE ON decisions
WHEN OLD.case_id IS NOT NEW.case_id OR OLD.status IS NOT NEW.status
    OR OLD.deadline IS NOT NEW.deadline OR OLD.is_public IS NOT NEW.is_public
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, -1
    FROM point_tallies WHERE decision_id = OLD.id
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, -1
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.decision_id = OLD.id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_point_updated AFTER UPDATE ON decisions
WHEN OLD.case_id IS NOT NEW.case_id OR OLD.status IS NOT NEW.status
    OR OLD.deadline IS NOT NEW.deadline OR OLD.is_public IS NOT NEW.is_public
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, 1
    FROM point_tallies WHERE decision_id = NEW.id
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, 1
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.decision_id = NEW.id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_point_deleted BEFORE DELETE ON decisions
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, -1
    FROM point_tallies WHERE decision_id = OLD.id
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, -1
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.decision_id = OLD.id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

-- A case moved to another meeting, hidden or shown, deleted or restored: its points move.
CREATE TRIGGER tally_case_leaving BEFORE UPDATE ON cases
WHEN OLD.meeting_id IS NOT NEW.meeting_id OR OLD.is_public IS NOT NEW.is_public
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, -count(*)
    FROM point_tallies WHERE case_id = OLD.id
    GROUP BY meeting_id, status, deadline, is_public, owned
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, -count(*)
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.case_id = OLD.id
    GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_case_updated AFTER UPDATE ON cases
WHEN OLD.meeting_id IS NOT NEW.meeting_id OR OLD.is_public IS NOT NEW.is_public
    OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, count(*)
    FROM point_tallies WHERE case_id = NEW.id
    GROUP BY meeting_id, status, deadline, is_public, owned
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, count(*)
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.case_id = NEW.id
    GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_case_deleted BEFORE DELETE ON cases
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, owned, -count(*)
    FROM point_tallies WHERE case_id = OLD.id
    GROUP BY meeting_id, status, deadline, is_public, owned
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, -count(*)
    FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
    WHERE p.case_id = OLD.id
    GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

-- An owner given to a point or taken from it: the point counts for that owner, and moves
-- between owned and not when it gets its first owner or loses its last. Each row's trigger
-- sees the rows its statement changed before it, so in a statement that replaces several
-- owners only the first added (the last taken) moves the point.
CREATE TRIGGER tally_owner_given BEFORE INSERT ON decision_owners
BEGIN
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT NEW.owner_id, meeting_id, status, deadline, is_public, 1
    FROM point_tallies WHERE decision_id = NEW.decision_id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, 0, -1
    FROM point_tallies WHERE decision_id = NEW.decision_id AND NOT owned
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, 1, 1
    FROM point_tallies WHERE decision_id = NEW.decision_id AND NOT owned
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

CREATE TRIGGER tally_owner_taken BEFORE DELETE ON decision_owners
BEGIN
    INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
    SELECT OLD.owner_id, meeting_id, status, deadline, is_public, -1
    FROM point_tallies WHERE decision_id = OLD.decision_id
    ON CONFLICT (owner_id, status, meeting_id, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, 1, -1
    FROM point_tallies WHERE decision_id = OLD.decision_id AND NOT EXISTS (
        SELECT 1 FROM decision_owners
        WHERE decision_id = OLD.decision_id AND owner_id <> OLD.owner_id)
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, 0, 1
    FROM point_tallies WHERE decision_id = OLD.decision_id AND NOT EXISTS (
        SELECT 1 FROM decision_owners
        WHERE decision_id = OLD.decision_id AND owner_id <> OLD.owner_id)
    ON CONFLICT (meeting_id, status, owned, deadline, is_public) DO UPDATE SET points = points + excluded.points;
END;

-- Owners are given and taken, never moved from one point or owner to another: the tallies
-- would not follow.
CREATE TRIGGER tally_owner_moved BEFORE UPDATE ON decision_owners
WHEN OLD.decision_id IS NOT NEW.decision_id OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
    SELECT RAISE(ABORT, 'decision_owners rows are deleted and inserted, not moved');
END;

-- The tallies serve what this index served.
DROP INDEX decisions_tally_by_case_idx;
