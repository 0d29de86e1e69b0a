-- main:
WITH pgrst_source AS (INSERT INTO "public"."publishers" ("name", "city") SELECT "_body"."name", "_body"."city" 
FROM json_populate_recordset(NULL::"public"."publishers", CAST($1 AS json)) AS "_body" 
WHERE true ON CONFLICT ("name") DO UPDATE SET "name" = excluded."name", "city" = excluded."city" RETURNING "publishers".*, ("publishers".xmax = 0) AS _dbrest_inserted) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status, (SELECT count(*) AS count_1 
FROM "pgrst_source" 
WHERE _dbrest_inserted) AS inserted 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"name\":\"P\",\"city\":\"C\"}]", "response.headers", "response.status"]
