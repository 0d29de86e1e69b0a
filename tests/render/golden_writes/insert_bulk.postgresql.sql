-- main:
WITH pgrst_source AS (INSERT INTO "public"."books" ("id", "title") SELECT "_body"."id", "_body"."title" 
FROM json_populate_recordset(NULL::"public"."books", CAST($1 AS json)) AS "_body" RETURNING "books".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($2::VARCHAR, true) AS response_headers, current_setting($3::VARCHAR, true) AS response_status 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"id\":1,\"title\":\"Dune\"},{\"id\":2,\"title\":\"Emma\"}]", "response.headers", "response.status"]
