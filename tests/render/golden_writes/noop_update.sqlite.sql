-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_books" AS SELECT * FROM main."books" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_books"
-- params: []
-- step (copy):
SELECT * 
FROM "books" AS t 
WHERE 0 = 1
-- params: []
-- copy: INSERT INTO temp."_dbrest_mut_books" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.title, ?, _dbrest_t.author_id, ?, _dbrest_t.publisher_id, ?, _dbrest_t.year, ?, _dbrest_t.price, ?, json(CASE WHEN _dbrest_t.available IS NULL THEN NULL WHEN _dbrest_t.available THEN 'true' ELSE 'false' END), ?, json(_dbrest_t.meta), ?, _dbrest_t.published, ?, _dbrest_t.labels, ?, _dbrest_t.during, ?, _dbrest_t.search)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."title" AS "title", t."author_id" AS "author_id", t."publisher_id" AS "publisher_id", t."year" AS "year", t."price" AS "price", t."available" AS "available", t."meta" AS "meta", t."published" AS "published", t."labels" AS "labels", t."during" AS "during", t."search" AS "search" 
FROM "_dbrest_mut_books" AS t) AS _dbrest_t
-- params: ["id", "title", "author_id", "publisher_id", "year", "price", "available", "meta", "published", "labels", "during", "search", "response.headers", "response.status"]
