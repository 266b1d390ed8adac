-- Remember what each file looked like when we landed it, so unchanged files are skipped.
INSERT OR REPLACE INTO file_state BY NAME
SELECT *, $run_id AS last_run_id FROM file_states;
