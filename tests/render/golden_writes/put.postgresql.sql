-- main:
WITH pgrst_source AS (INSERT INTO "public"."books" ("id", "title") SELECT "_body"."id", "_body"."title" 
FROM json_populate_recordset(NULL::"public"."books", CAST($1 AS json)) AS "_body" 
WHERE true ON CONFLICT ("id") DO UPDATE SET "id" = excluded."id", "title" = excluded."title" RETURNING "books".*, ("books".xmax = 0) AS _dbrest_inserted) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status, (SELECT count(*) AS count_1 
FROM "pgrst_source" 
WHERE _dbrest_inserted) AS inserted 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"id\":1,\"title\":\"Dune\"}]", "response.headers", "response.status"]
