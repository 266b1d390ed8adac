-- Which process runs a run, so the next run can tell one that was killed (kill -9, a power
-- cut, an OOM kill) from one still going, and mark it crashed instead of `running` forever.
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN pid INTEGER;
-- The process's start time (clock ticks after boot, from /proc), so a reused PID is not
-- mistaken for the process that started the run.
ALTER TABLE runs ADD COLUMN pid_started BIGINT;
