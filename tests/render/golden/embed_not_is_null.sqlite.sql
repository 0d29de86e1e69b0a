SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, json(_dbrest_t.publishers))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT json_object(?, _dbrest_t_t1.name) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "publishers" AS t1 
WHERE t1."id" = t."publisher_id") AS _dbrest_t_t1) AS "publishers" 
FROM "books" AS t 
WHERE EXISTS (SELECT 1 
FROM "publishers" AS t1 
WHERE t1."id" = t."publisher_id")) AS _dbrest_t
-- params: ["id", "publishers", "response.headers", "response.status", "name"]
