-- PostgreSQL (warehouse/hosts.py): the robots.txt of `origin` while it is valid, and the
-- seconds it stays so.
SELECT body, unavailable, extract(epoch FROM expires_at - clock_timestamp())
FROM newsflow_hosts.robots
WHERE origin = %(origin)s AND expires_at > clock_timestamp()
