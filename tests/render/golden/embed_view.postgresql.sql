SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT coalesce(json_agg(_dbrest_t_t1), '[]') AS anon_1 
FROM (SELECT t1."title" AS "title" 
FROM "public"."recent_books" AS t1 
WHERE t1."author_id" = t."id") AS _dbrest_t_t1) AS "recent_books" 
FROM "public"."authors" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
