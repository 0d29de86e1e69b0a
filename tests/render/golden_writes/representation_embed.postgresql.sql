-- main:
WITH pgrst_source AS (UPDATE "public"."books" AS t SET "title"="_body"."title" FROM (SELECT * FROM json_populate_record(NULL::"public"."books", CAST($1 AS json) -> 0)) AS "_body" WHERE t."id" = CAST(CAST($2 AS TEXT) AS integer) RETURNING "t".*) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($3::VARCHAR, true) AS response_headers, current_setting($4::VARCHAR, true) AS response_status 
FROM (SELECT t."title" AS "title", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "public"."authors" AS t1 
WHERE t1."id" = t."author_id") AS _dbrest_t_t1) AS "author" 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["[{\"title\":\"New\"}]", "1", "response.headers", "response.status"]
