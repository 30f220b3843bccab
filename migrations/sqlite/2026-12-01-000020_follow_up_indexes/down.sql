DROP INDEX cases_status_idx;
