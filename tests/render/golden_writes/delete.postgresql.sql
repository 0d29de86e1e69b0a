-- main:
WITH pgrst_source AS (DELETE FROM "public"."books" AS t WHERE t."id" = ANY(CAST(CAST($1 AS TEXT[]) AS integer[])) RETURNING "t".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: [["1", "2"], "response.headers", "response.status"]
