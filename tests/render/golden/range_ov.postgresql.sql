SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."during" && CAST(CAST($1 AS TEXT) AS tstzrange)) AS _dbrest_t
-- params: ["[2000-01-01,2001-01-01)"]
