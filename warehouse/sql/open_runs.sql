-- Runs other than $run_id still marked running: each is either going on in a live process
-- or was killed before it could say so.
SELECT run_id, host, pid, pid_started
FROM runs
WHERE status = 'running' AND run_id <> $run_id
ORDER BY started_at;
