WITH pgrst_source AS (SELECT pgrst_call.* FROM "public"."pairs"() pgrst_call) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."k" AS "k", t."v" AS "v" 
FROM "pgrst_source" AS t 
WHERE t."k" = CAST($3 AS TEXT)) AS _dbrest_t
-- params: ["response.headers", "response.status", "x"]
