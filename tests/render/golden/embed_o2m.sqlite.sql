SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.name, ?, json(_dbrest_t.books))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT coalesce(json_group_array(json_object(?, _dbrest_t_t1.title)), '[]') AS anon_1 
FROM (SELECT t1."title" AS "title" 
FROM "books" AS t1 
WHERE t1."author_id" = t."id" AND t1."year" > ? ORDER BY t1."title" DESC NULLS FIRST
 LIMIT ? OFFSET ?) AS _dbrest_t_t1) AS "books" 
FROM "authors" AS t) AS _dbrest_t
-- params: ["name", "books", "response.headers", "response.status", "title", 2000, 2, 1]
