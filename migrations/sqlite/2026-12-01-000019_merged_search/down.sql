-- Nothing to undo: a merged index holds the same entries.
SELECT 1;
