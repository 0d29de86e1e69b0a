-- main:
WITH pgrst_source AS (INSERT INTO "public"."books" ("id", "title", "year", "available") SELECT "_body"."id", "_body"."title", "_body"."year", "_body"."available" 
FROM (SELECT _row."id" AS "id", _row."title" AS "title", CASE WHEN _elem ? $2::VARCHAR THEN _row."year" ELSE 2000 END AS "year", CASE WHEN _elem ? $3::VARCHAR THEN _row."available" ELSE true END AS "available" FROM jsonb_array_elements(CAST($1 AS jsonb)) AS _elem, LATERAL jsonb_populate_record(NULL::"public"."books", _elem) AS _row) AS "_body" RETURNING "books".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($4::VARCHAR, true) AS response_headers, current_setting($5::VARCHAR, true) AS response_status 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"id\":1,\"title\":\"Dune\"}]", "year", "available", "response.headers", "response.status"]
