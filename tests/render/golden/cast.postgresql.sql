SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT CAST(t."id" AS text) AS "id", CAST(t."year" AS text) AS "year", CAST(t."available" AS text) AS "available", CAST(t."price" AS int4) AS "price", CAST(t."meta" AS jsonb) AS "meta" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
