SELECT (SELECT count(*) AS count_1 
FROM "public"."books" AS t 
WHERE t."year" > CAST(CAST($1 AS TEXT) AS integer)) AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."year" > CAST(CAST($1 AS TEXT) AS integer)) AS _dbrest_t
-- params: ["2000", "response.headers", "response.status"]
