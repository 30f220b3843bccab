-- The time of the last change, kept by the database: each write takes its change time from
-- here, inside the turn writers take, so change times follow the order of commits even when
-- several instances with clocks that disagree write to one database (mirrors poll by them).
CREATE TABLE change_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_change TIMESTAMP NOT NULL
);
INSERT INTO change_clock (id, last_change)
SELECT 1, GREATEST(
    '1970-01-01 00:00:00'::timestamp,
    (SELECT max(updated_at) FROM decisions),
    (SELECT max(updated_at) FROM cases),
    (SELECT max(updated_at) FROM meetings)
);
