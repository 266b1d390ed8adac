-- Fold the write-ahead log into the database file (maintenance): landing skips checkpoints.
FORCE CHECKPOINT;
