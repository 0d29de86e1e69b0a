SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, json(_dbrest_t.author))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT json_object(?, _dbrest_t_t1.name) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "authors" AS t1 
WHERE t1."id" = t."author_id") AS _dbrest_t_t1) AS "author" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "author", "response.headers", "response.status", "name"]
