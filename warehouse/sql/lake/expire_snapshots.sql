-- Lake maintenance, step 2: forget snapshots older than $keep (an INTERVAL such as '7 days'):
-- time travel (AT (TIMESTAMP => ...)) reaches back that far and no further. Their files are
-- then scheduled for deletion.
CALL ducklake_expire_snapshots('lake', older_than => now() - $keep::INTERVAL);
