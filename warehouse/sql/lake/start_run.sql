-- DuckLake variant of sql/start_run.sql: INSERT OR REPLACE as a MERGE on run_id.
MERGE INTO runs AS t
USING (
    SELECT
        $run_id AS run_id, $flow_name AS flow_name, $parameters::JSON AS parameters,
        $started_at::TIMESTAMP AS started_at, 'running' AS status, $host AS host,
        $pid::INTEGER AS pid, $pid_started::BIGINT AS pid_started
) AS s
ON t.run_id = s.run_id
-- As INSERT OR REPLACE in a DuckDB file: the columns it names change, the others are kept.
WHEN MATCHED THEN UPDATE SET
    flow_name = s.flow_name, parameters = s.parameters, started_at = s.started_at,
    status = s.status, host = s.host, pid = s.pid, pid_started = s.pid_started
WHEN NOT MATCHED THEN INSERT BY NAME;
