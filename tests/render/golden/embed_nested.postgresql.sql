SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT coalesce(json_agg(_dbrest_t_t1), '[]') AS anon_1 
FROM (SELECT t1."title" AS "title", (SELECT coalesce(json_agg(_dbrest_t_t2), '[]') AS anon_2 
FROM (SELECT t2."name" AS "name" 
FROM "public"."tags" AS t2 JOIN "public"."book_tags" AS t3 ON t3."tag_id" = t2."id" 
WHERE t3."book_id" = t1."id") AS _dbrest_t_t2) AS "tags" 
FROM "public"."books" AS t1 
WHERE t1."author_id" = t."id") AS _dbrest_t_t1) AS "books" 
FROM "public"."authors" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
