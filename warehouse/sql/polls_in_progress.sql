-- Scheduled feed polls (no URLs given, not forced) other than $run_id still marked running
-- that started before it, and after $since. Runs of this host whose process is gone were
-- marked crashed as $run_id started, so those of this host are alive; a run of another host
-- stays running until that host's next run, and is ignored here once older than $since.
SELECT r.run_id, r.host, r.pid, r.started_at
FROM runs AS r, runs AS me
WHERE me.run_id = $run_id
  AND r.run_id <> me.run_id
  AND r.flow_name = me.flow_name
  AND r.status = 'running'
  AND r.started_at >= $since
  AND (r.started_at < me.started_at OR (r.started_at = me.started_at AND r.run_id < me.run_id))
  AND json_extract_string(r.parameters, '$.urls') IS NULL
  AND coalesce(json_extract_string(r.parameters, '$.force'), 'false') = 'false'
ORDER BY r.started_at;
