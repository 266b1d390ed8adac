INSERT OR REPLACE INTO runs (run_id, flow_name, parameters, started_at, status)
VALUES ($run_id, $flow_name, $parameters, $started_at, 'running');
