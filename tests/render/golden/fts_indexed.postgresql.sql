SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."articles" AS t 
WHERE to_tsvector(t."body") @@ websearch_to_tsquery(CAST($3 AS TEXT))) AS _dbrest_t
-- params: ["response.headers", "response.status", "\"fat cat\" or dog -rat"]
