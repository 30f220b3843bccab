-- The time of the last change: each write takes its change time from here, inside the turn
-- writers take, so that change times follow the order of commits (see the PostgreSQL
-- migration; one SQLite file is written by one machine's clock, but a clock set back must not
-- hide changes from mirrors either).
CREATE TABLE change_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_change TIMESTAMP NOT NULL
);
INSERT INTO change_clock (id, last_change)
SELECT 1, max(
    '1970-01-01 00:00:00',
    coalesce((SELECT max(updated_at) FROM decisions), '1970-01-01 00:00:00'),
    coalesce((SELECT max(updated_at) FROM cases), '1970-01-01 00:00:00'),
    coalesce((SELECT max(updated_at) FROM meetings), '1970-01-01 00:00:00')
);
