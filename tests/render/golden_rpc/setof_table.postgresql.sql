WITH pgrst_source AS (SELECT pgrst_call.* FROM json_to_record(CAST($1 AS json)) AS pgrst_args("author" integer), LATERAL "public"."books_by"("author" := pgrst_args."author") pgrst_call) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") AS _dbrest_t_t1) AS "authors" 
FROM "pgrst_source" AS t 
WHERE t."year" > CAST(CAST($4 AS TEXT) AS integer) ORDER BY t."id" ASC NULLS LAST 
 LIMIT $5) AS _dbrest_t
-- params: ["{\"author\":\"1\"}", "response.headers", "response.status", "2000", 5]
