-- Paths of `candidates` (path, size, mtime_ns) that were landed before and have not changed.
SELECT c.path
FROM candidates AS c
JOIN file_state AS s ON s.path = c.path AND s.size = c.size AND s.mtime_ns = c.mtime_ns;
