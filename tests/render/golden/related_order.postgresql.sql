SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") AS _dbrest_t_t1) AS "authors" 
FROM "public"."books" AS t ORDER BY (SELECT t1."name" AS "v" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") DESC NULLS FIRST, t."id" ASC NULLS LAST) AS _dbrest_t
-- params: ["response.headers", "response.status"]
