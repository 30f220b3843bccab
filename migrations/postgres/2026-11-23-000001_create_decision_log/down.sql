DROP TABLE case_links;
DROP TABLE decision_owners;
DROP TABLE decisions;
DROP TABLE owner_aliases;
DROP TABLE owners;
DROP TABLE cases;
DROP TABLE meetings;
DROP TABLE committees;
