-- FTS5 keeps its index as segments that it merges as writes come (automerge): each write's
-- entries are a small new segment, and when a level holds four segments they are merged into
-- one of the next level. A bulk fill (the 'rebuild' of migration 000018, an import of a whole
-- archive) leaves large segments part-way through those merges, and the writes after it pay
-- for them: at 1M points the third point written after the rebuild merged for 35-58 ms. A
-- preview of an import (dry run) rolls its writes back, merge included, so each preview paid
-- it again. 'optimize' merges the index into one segment once (20 s at 1M points); after
-- it, writes merge only the small segments they made.
INSERT INTO decision_search (decision_search) VALUES ('optimize');
