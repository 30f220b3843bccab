-- Full-text search of decision points with PostgreSQL's Norwegian configuration, which stems
-- ("kommunene" is found by "kommune"), over the text, status note, case title and owners that
-- the store keeps in decisions.search_text.
ALTER TABLE decisions ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('norwegian', search_text)) STORED;
CREATE INDEX decisions_search_idx ON decisions USING GIN (search_vector);
