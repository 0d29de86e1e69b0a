-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_books" AS SELECT * FROM main."books" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_books"
-- params: []
-- step (copy):
UPDATE "books" AS t SET "title"="_body"."title" FROM (SELECT (_elem.value ->> ?) AS "title" FROM json_each(?) AS _elem WHERE _elem.key = 0) AS "_body" WHERE t."id" = ? RETURNING *
-- params: ["$.\"title\"", "[{\"title\":\"New\"}]", 1]
-- copy: INSERT INTO temp."_dbrest_mut_books" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.title, ?, json(_dbrest_t.author))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."title" AS "title", (SELECT json_object(?, _dbrest_t_t1.name) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "authors" AS t1 
WHERE t1."id" = t."author_id") AS _dbrest_t_t1) AS "author" 
FROM "_dbrest_mut_books" AS t) AS _dbrest_t
-- params: ["title", "author", "response.headers", "response.status", "name"]
