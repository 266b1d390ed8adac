-- Every article connected to a new one through duplicate pairs, with its group's original:
-- the earliest published (undated last); among equally dated copies the first landed
-- (ingested_at), then article_id for copies landed in the same batch. A copy that arrives
-- later never takes the original's place unless it carries an earlier date.
WITH RECURSIVE edges AS (
    SELECT article_id AS a, other_id AS b FROM duplicate_pairs
    UNION ALL
    SELECT other_id, article_id FROM duplicate_pairs
),
reach (seed, member) AS (
    SELECT article_id, article_id FROM new_ids
    UNION
    SELECT r.seed, e.b FROM reach AS r JOIN edges AS e ON e.a = r.member
),
grouped AS (
    -- A component is named by its smallest member, so overlapping seeds agree.
    SELECT member, min(seed_min) AS component FROM (
        SELECT seed, member, min(member) OVER (PARTITION BY seed) AS seed_min FROM reach
    ) GROUP BY member
)
SELECT
    g.member AS article_id,
    first_value(g.member) OVER (
        PARTITION BY g.component ORDER BY a.published_at NULLS LAST, a.ingested_at, g.member
    ) AS original_id,
    count(*) OVER (PARTITION BY g.component) AS group_size,
    g.member IN (SELECT article_id FROM new_ids) AS is_new
FROM grouped AS g JOIN articles AS a ON a.article_id = g.member;
