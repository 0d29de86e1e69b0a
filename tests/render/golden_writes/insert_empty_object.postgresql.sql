-- main:
WITH pgrst_source AS (INSERT INTO "public"."authors" SELECT FROM json_array_elements(CAST($1 AS json)) RETURNING "authors".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{}]", "response.headers", "response.status"]
