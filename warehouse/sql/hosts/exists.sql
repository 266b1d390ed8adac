-- PostgreSQL (warehouse/hosts.py): whether the shared host state's tables are there already,
-- so that a worker whose user may not create schemas (an administrator ran schema.sql) uses
-- them as they are.
SELECT to_regclass('newsflow_hosts.hosts') IS NOT NULL
   AND to_regclass('newsflow_hosts.robots') IS NOT NULL
