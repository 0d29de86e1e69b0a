SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE (t."meta" ->> CAST($3 AS TEXT)) = CAST($4 AS TEXT) AND (t."meta" -> CAST($5 AS TEXT)) > CAST(CAST($6 AS TEXT) AS jsonb)) AS _dbrest_t
-- params: ["response.headers", "response.status", "lang", "en", "rating", "4"]
