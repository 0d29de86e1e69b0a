-- main:
WITH pgrst_source AS (SELECT "t".* 
FROM "public"."books" AS t 
WHERE false) SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", t."title" AS "title", t."author_id" AS "author_id", t."publisher_id" AS "publisher_id", t."year" AS "year", t."price" AS "price", t."available" AS "available", t."meta" AS "meta", t."published" AS "published", t."labels" AS "labels", t."during" AS "during", t."search" AS "search" 
FROM "pgrst_source" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
