SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.name, ?, json(_dbrest_t.books))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT coalesce(json_group_array(json_object(?, _dbrest_t_t1.title, ?, json(_dbrest_t_t1.tags))), '[]') AS anon_1 
FROM (SELECT t1."title" AS "title", (SELECT coalesce(json_group_array(json_object(?, _dbrest_t_t2.name)), '[]') AS anon_2 
FROM (SELECT t2."name" AS "name" 
FROM "tags" AS t2 JOIN "book_tags" AS t3 ON t3."tag_id" = t2."id" 
WHERE t3."book_id" = t1."id") AS _dbrest_t_t2) AS "tags" 
FROM "books" AS t1 
WHERE t1."author_id" = t."id") AS _dbrest_t_t1) AS "books" 
FROM "authors" AS t) AS _dbrest_t
-- params: ["name", "books", "response.headers", "response.status", "title", "tags", "name"]
