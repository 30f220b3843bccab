DROP TABLE decision_search;
