-- A bucket raw store (warehouse/rawstore.py): one gzipped body as one object, its bytes as
-- they are: FORMAT blob writes the one BLOB value and nothing else, and COMPRESSION none
-- because COPY would otherwise gzip again what a .gz name says is gzip (seen in 1.5.5).
-- COPY takes no parameter for its target: rawstore puts the quoted object URL for $target.
COPY (SELECT $body::BLOB AS content) TO $target (FORMAT blob, COMPRESSION none);
