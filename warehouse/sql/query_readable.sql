-- What user SQL in store.query may read: folders (with a trailing separator) and files.
SET VARIABLE newsflow_readable = {'dirs': $dirs::VARCHAR[], 'files': $files::VARCHAR[]}
