-- main:
WITH pgrst_source AS (UPDATE "public"."books" AS t SET "year"="_body"."year", "title"="_body"."title" FROM (SELECT * FROM json_populate_record(NULL::"public"."books", CAST($1 AS json) -> 0)) AS "_body" WHERE t."id" = CAST(CAST($2 AS TEXT) AS integer) AND t."year" < CAST(CAST($3 AS TEXT) AS integer) RETURNING "t".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($4::VARCHAR, true) AS response_headers, current_setting($5::VARCHAR, true) AS response_status 
FROM (SELECT 1 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"title\":\"New\",\"year\":2001}]", "1", "2000", "response.headers", "response.status"]
