SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT coalesce(json_agg(_dbrest_t_t1), '[]') AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "public"."tags" AS t1 JOIN "public"."book_tags" AS t2 ON t2."tag_id" = t1."id" 
WHERE t2."book_id" = t."id" AND t1."name" = CAST($3 AS TEXT)) AS _dbrest_t_t1) AS "tags" 
FROM "public"."books" AS t 
WHERE EXISTS (SELECT 1 
FROM "public"."tags" AS t1 JOIN "public"."book_tags" AS t2 ON t2."tag_id" = t1."id" 
WHERE t2."book_id" = t."id" AND t1."name" = CAST($3 AS TEXT))) AS _dbrest_t
-- params: ["response.headers", "response.status", "classic"]
