-- A search ranks the most recently recorded points that match: this index walks them newest
-- first, so a word found in most of the log is read only as far as the ranking needs.
CREATE INDEX decisions_live_created_idx ON decisions (created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
