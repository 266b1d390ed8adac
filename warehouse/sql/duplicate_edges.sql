-- The duplicate pairs that hold a new article, each end named by its group's original (an
-- article's duplicate_of, else the article itself: every member of a group points at its
-- original), and each new article beside its own (a re-paired article keeps its group).
WITH roots AS (
    SELECT article_id, coalesce(duplicate_of, article_id) AS root FROM articles
),
touching AS (
    SELECT p.article_id, p.other_id FROM duplicate_pairs AS p
    WHERE p.article_id IN (SELECT article_id FROM new_ids)
       OR p.other_id IN (SELECT article_id FROM new_ids)
)
SELECT ra.root AS a, rb.root AS b
FROM touching AS t
JOIN roots AS ra ON ra.article_id = t.article_id
JOIN roots AS rb ON rb.article_id = t.other_id
UNION
SELECT n.article_id, r.root FROM new_ids AS n JOIN roots AS r USING (article_id);
