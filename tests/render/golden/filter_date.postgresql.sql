SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."published" >= CAST(CAST($3 AS TEXT) AS date) AND t."published" = ANY(CAST(CAST($4 AS TEXT[]) AS date[])) AND t."published" < ALL(CAST(CAST($5 AS TEXT[]) AS date[]))) AS _dbrest_t
-- params: ["response.headers", "response.status", "2024-04-10T09:00:00", ["2024-01-01", "2024-02-02"], ["2025-01-01"]]
