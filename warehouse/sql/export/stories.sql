-- The stories view as it is now: a small snapshot, rewritten by every export (a story's
-- counts and last_seen change as articles join it, so appending would repeat stories).
SELECT *
FROM stories
ORDER BY first_seen, story_id
