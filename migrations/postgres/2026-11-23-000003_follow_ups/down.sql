DROP INDEX case_links_kind_idx;
DROP TABLE link_proposals;
ALTER TABLE cases DROP COLUMN narrative;
