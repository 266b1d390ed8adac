-- A bucket raw store (warehouse/rawstore.py): the stored bytes of a list of objects, read in
-- parallel; any missing one fails the whole read with an HTTP 404 error.
SELECT filename, content FROM read_blob($urls);
