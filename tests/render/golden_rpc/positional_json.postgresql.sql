WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT "public"."echo"(CAST($1 AS json)) AS pgrst_scalar) pgrst_call) SELECT NULL AS total, count(*) AS page_total, coalesce((json_agg(pgrst_source.pgrst_scalar) -> 0)::text, 'null') AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM pgrst_source
-- params: ["{\"x\": 1}", "response.headers", "response.status"]
