WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT "public"."touch"() AS pgrst_scalar) pgrst_call) SELECT NULL AS total, count(*) AS page_total, 'null' AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM pgrst_source
-- params: ["response.headers", "response.status"]
