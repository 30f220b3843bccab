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
);

-- The same per owner: a point with several owners counts for each.
CREATE TABLE owner_tallies (
    owner_id TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline DATE NOT NULL,
    is_public BOOLEAN NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (owner_id, status, meeting_id, deadline, is_public)
);

-- What a point counts as, while it counts (neither it nor its case deleted).
CREATE VIEW point_tallies AS
SELECT decisions.id AS decision_id,
       decisions.case_id AS case_id,
       cases.meeting_id AS meeting_id,
       decisions.status AS status,
       CASE WHEN decisions.status IN ('open', 'in_progress') AND decisions.deadline IS NOT NULL
            THEN decisions.deadline ELSE DATE '9999-12-31' END AS deadline,
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

-- Adds `delta` times each of the given points (one point, or a case's) under what it counts
-- as now, for its meeting and for each of its owners. Grouped, so that one statement meets
-- each key once; two branches, so that each statement's plan reads by its key.
CREATE FUNCTION tally_points(of_case TEXT, of_point TEXT, delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF of_point IS NOT NULL THEN
        INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
        SELECT meeting_id, status, deadline, is_public, owned, delta * count(*)
        FROM point_tallies WHERE decision_id = of_point
        GROUP BY meeting_id, status, deadline, is_public, owned
        ON CONFLICT (meeting_id, status, owned, deadline, is_public)
        DO UPDATE SET points = meeting_tallies.points + excluded.points;
        INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
        SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public,
               delta * count(*)
        FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
        WHERE p.decision_id = of_point
        GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public
        ON CONFLICT (owner_id, status, meeting_id, deadline, is_public)
        DO UPDATE SET points = owner_tallies.points + excluded.points;
    ELSE
        INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
        SELECT meeting_id, status, deadline, is_public, owned, delta * count(*)
        FROM point_tallies WHERE case_id = of_case
        GROUP BY meeting_id, status, deadline, is_public, owned
        ON CONFLICT (meeting_id, status, owned, deadline, is_public)
        DO UPDATE SET points = meeting_tallies.points + excluded.points;
        INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
        SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public,
               delta * count(*)
        FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id
        WHERE p.case_id = of_case
        GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public
        ON CONFLICT (owner_id, status, meeting_id, deadline, is_public)
        DO UPDATE SET points = owner_tallies.points + excluded.points;
    END IF;
END $$;

-- Each trigger takes points' counts away under what they counted as before a change (BEFORE)
-- and adds them under what they count as after (AFTER).

-- A point added, changed in what it counts as, or removed.
CREATE FUNCTION tally_point_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        PERFORM tally_points(NULL, OLD.id, -1);
    ELSE
        PERFORM tally_points(NULL, NEW.id, 1);
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tally_point_inserted AFTER INSERT ON decisions
FOR EACH ROW EXECUTE FUNCTION tally_point_trigger();
CREATE TRIGGER tally_point_leaving BEFORE UPDATE ON decisions
FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id
    OR OLD.status IS DISTINCT FROM NEW.status OR OLD.deadline IS DISTINCT FROM NEW.deadline
    OR OLD.is_public IS DISTINCT FROM NEW.is_public
    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
EXECUTE FUNCTION tally_point_trigger();
CREATE TRIGGER tally_point_updated AFTER UPDATE ON decisions
FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id
    OR OLD.status IS DISTINCT FROM NEW.status OR OLD.deadline IS DISTINCT FROM NEW.deadline
    OR OLD.is_public IS DISTINCT FROM NEW.is_public
    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
EXECUTE FUNCTION tally_point_trigger();
CREATE TRIGGER tally_point_deleted BEFORE DELETE ON decisions
FOR EACH ROW EXECUTE FUNCTION tally_point_trigger();

-- A case moved to another meeting, hidden or shown, deleted or restored: its points move.
CREATE FUNCTION tally_case_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        PERFORM tally_points(OLD.id, NULL, -1);
    ELSE
        PERFORM tally_points(NEW.id, NULL, 1);
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tally_case_leaving BEFORE UPDATE ON cases
FOR EACH ROW WHEN (OLD.meeting_id IS DISTINCT FROM NEW.meeting_id
    OR OLD.is_public IS DISTINCT FROM NEW.is_public
    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
EXECUTE FUNCTION tally_case_trigger();
CREATE TRIGGER tally_case_updated AFTER UPDATE ON cases
FOR EACH ROW WHEN (OLD.meeting_id IS DISTINCT FROM NEW.meeting_id
    OR OLD.is_public IS DISTINCT FROM NEW.is_public
    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
EXECUTE FUNCTION tally_case_trigger();
CREATE TRIGGER tally_case_deleted BEFORE DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION tally_case_trigger();

-- Moves a point between owned and not.
CREATE FUNCTION tally_owned(of_point TEXT, owned_before BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points)
    SELECT meeting_id, status, deadline, is_public, moved.owned, moved.delta
    FROM point_tallies,
        (VALUES (owned_before, -1), (NOT owned_before, 1)) AS moved (owned, delta)
    WHERE decision_id = of_point
    ON CONFLICT (meeting_id, status, owned, deadline, is_public)
    DO UPDATE SET points = meeting_tallies.points + excluded.points;
END $$;

-- An owner given to a point or taken from it: the point counts for that owner, and moves
-- between owned and not when it gets its first owner or loses its last. A row's BEFORE
-- trigger sees the rows its statement changed before it, so in a statement that gives or
-- takes several owners only the first given (the last taken) moves the point.
CREATE FUNCTION tally_owner_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
        SELECT NEW.owner_id, meeting_id, status, deadline, is_public, 1
        FROM point_tallies WHERE decision_id = NEW.decision_id
        ON CONFLICT (owner_id, status, meeting_id, deadline, is_public)
        DO UPDATE SET points = owner_tallies.points + excluded.points;
        IF NOT EXISTS (SELECT 1 FROM decision_owners WHERE decision_id = NEW.decision_id) THEN
            PERFORM tally_owned(NEW.decision_id, false);
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points)
        SELECT OLD.owner_id, meeting_id, status, deadline, is_public, -1
        FROM point_tallies WHERE decision_id = OLD.decision_id
        ON CONFLICT (owner_id, status, meeting_id, deadline, is_public)
        DO UPDATE SET points = owner_tallies.points + excluded.points;
        IF NOT EXISTS (SELECT 1 FROM decision_owners
                       WHERE decision_id = OLD.decision_id AND owner_id <> OLD.owner_id) THEN
            PERFORM tally_owned(OLD.decision_id, true);
        END IF;
        RETURN OLD;
    END IF;
    -- Owners are given and taken, never moved from one point or owner to another: the
    -- tallies would not follow.
    RAISE EXCEPTION 'decision_owners rows are deleted and inserted, not moved';
END $$;

CREATE TRIGGER tally_owner_given BEFORE INSERT ON decision_owners
FOR EACH ROW EXECUTE FUNCTION tally_owner_trigger();
CREATE TRIGGER tally_owner_taken BEFORE DELETE ON decision_owners
FOR EACH ROW EXECUTE FUNCTION tally_owner_trigger();
CREATE TRIGGER tally_owner_moved BEFORE UPDATE ON decision_owners
FOR EACH ROW WHEN (OLD.decision_id IS DISTINCT FROM NEW.decision_id
    OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
EXECUTE FUNCTION tally_owner_trigger();
