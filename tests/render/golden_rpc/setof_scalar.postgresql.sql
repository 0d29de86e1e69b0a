WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT "public"."years"() AS pgrst_scalar) pgrst_call) SELECT NULL AS total, count(*) AS page_total, coalesce(json_agg(pgrst_source.pgrst_scalar), '[]')::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM pgrst_source
-- params: ["response.headers", "response.status"]
