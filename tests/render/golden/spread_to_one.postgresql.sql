SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."title" AS "title", (SELECT t1."name" AS "author" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") AS "author", (SELECT t1."born" AS "born" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") AS "born" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
