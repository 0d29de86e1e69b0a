SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", ((t."meta" -> CAST($3 AS TEXT)) ->> CAST($4 AS TEXT)) AS "name", ((t."meta" -> CAST($5 AS TEXT)) -> CAST($6 AS INTEGER)) AS "tags", (t."meta" ->> CAST($7 AS INTEGER)) AS "first" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status", "series", "name", "tags", 0, -1]
