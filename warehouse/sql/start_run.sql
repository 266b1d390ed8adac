INSERT OR REPLACE INTO runs (run_id, flow_name, parameters, started_at, status, host, pid,
                             pid_started)
VALUES ($run_id, $flow_name, $parameters, $started_at, 'running', $host, $pid, $pid_started);
