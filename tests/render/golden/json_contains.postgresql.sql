SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."meta" @> CAST(CAST($3 AS TEXT) AS jsonb) AND t."labels" && CAST(CAST($4 AS TEXT) AS text[])) AS _dbrest_t
-- params: ["response.headers", "response.status", "[\"a\",1]", "{a,b}"]
